"""Tag policies: required tags on every taggable AWS resource (provider default tags count), and no
secrets in tag values.

`taggable_types.txt` lists the pulumi-aws resource tokens that accept `tags` (generated from the
SDK; a test keeps it in sync), so an untagged resource is caught even when it sends no `tags`.
"""

from __future__ import annotations

from pathlib import Path

from . import _secrets_scan as scan
from . import _types as t
from ._helpers import effective_tags, get, items, resource_tags
from ._policy import CRITICAL, MEDIUM, resource_policy

TAGGABLE_TYPES = tuple(Path(__file__).with_name("taggable_types.txt").read_text().split())
REQUIRED_TAGS = ["environment", "project", "owner", "cost-centre", "managed-by"]


def _applies_defaults(resource) -> bool:
    # The AWS provider does not apply default_tags to Auto Scaling groups.
    return resource.resource_type not in t.AUTOSCALING_GROUP


def _missing(args, cfg) -> list[str]:
    tags = effective_tags(args, with_defaults=_applies_defaults(args))
    return [key for key in cfg["requiredTags"] if not tags.get(key)]


def _required(args, cfg):
    missing = _missing(args, cfg)
    if missing:
        yield f"missing required tags: {', '.join(missing)} (set them on the resource or the provider's default_tags)"


def _add_missing(args, cfg):
    """Fill in missing tags from `defaultValues` (only runs at enforcement level 'remediate')."""
    fill = {k: cfg["defaultValues"][k] for k in _missing(args, cfg) if k in cfg["defaultValues"]}
    if not fill:
        return None
    props = {k: args.props[k] for k in args.props}
    if args.resource_type in t.AUTOSCALING_GROUP:
        added = [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in fill.items()]
        props["tags"] = [*items(get(args.props, "tags")), *added]
    else:
        props["tags"] = {**resource_tags(args.props), **fill}
    return props


def _no_secrets(args, _cfg):
    for key, value in resource_tags(args.props).items():
        if scan.is_secret_literal(key, value) or scan.findings(value):
            yield f"tag '{key}' appears to hold a secret (tags are readable by anyone who can list resources)"


_TAGGED = TAGGABLE_TYPES + t.AUTOSCALING_GROUP

POLICIES = [
    resource_policy(
        "tags-resource-required",
        types=_TAGGED,
        description="Every taggable resource carries the ownership tags (environment, project, owner, cost centre, "
        "managed-by), directly or through the provider's default tags.",
        severity=MEDIUM,
        checklist=("DEP-3",),
        remediation="Add the missing keys to the provider's default_tags={'tags': {...}} (Auto Scaling groups: to "
        "the group's own tags with propagate_at_launch). Setting this policy to 'remediate' with defaultValues "
        "fills them in.",
        check=_required,
        remediate=_add_missing,
        config={
            "requiredTags": {"type": "array", "items": {"type": "string"}, "default": REQUIRED_TAGS},
            "defaultValues": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}},
        },
    ),
    resource_policy(
        "tags-no-secrets",
        types=_TAGGED,
        description="Tag values never hold secrets.",
        severity=CRITICAL,
        checklist=("SEC-1",),
        remediation="Remove the tag; keep the value in Secrets Manager.",
        check=_no_secrets,
    ),
]
