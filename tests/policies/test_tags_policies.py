"""Tag policies: required tags (provider default tags count), remediation, no secrets in tags."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi_aws as aws
import pytest
from conftest import OWNERSHIP_TAGS, ROOT, Case, assert_case, on, provider

from hardening.tags import TAGGABLE_TYPES

CONFIG_REMEDIATE = {
    "tags-resource-required": {
        "enforcementLevel": "remediate",
        "defaultValues": {"owner": "platform-team", "cost-centre": "cc-1234", "managed-by": "pulumi"},
    }
}


def _tagged_by(defaults: dict, own: dict | None = None):
    def program():
        p = provider(tags=defaults)
        aws.sns.Topic("alerts", tags=own, opts=on(p))

    return program


def _asg(tags):
    return lambda: aws.autoscaling.Group(
        "app",
        min_size=2,
        max_size=10,
        vpc_zone_identifiers=["s-1", "s-2"],
        tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in tags.items()],
    )


CASES = [
    Case("tags-resource-required", _tagged_by({"environment": "prod"}), _tagged_by(OWNERSHIP_TAGS), "owner"),
    Case(
        "tags-resource-required",
        _tagged_by({}, {"environment": "prod"}),
        _tagged_by({k: v for k, v in OWNERSHIP_TAGS.items() if k != "owner"}, {"owner": "team"}),
        "project",
    ),
    # The AWS provider does not apply default tags to Auto Scaling groups.
    Case("tags-resource-required", lambda: (provider(), _asg({})()), _asg(OWNERSHIP_TAGS), "environment"),
    Case(
        "tags-no-secrets",
        _tagged_by(OWNERSHIP_TAGS, {"db-password": "hunter2hunter2"}),
        _tagged_by(OWNERSHIP_TAGS, {"secret-rotation": "enabled"}),
        "db-password",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_resources_without_any_tags_are_still_checked(pack):
    # No `tags` property at all: the type token says the resource is taggable.
    assert pack.violations("tags-resource-required", lambda: aws.sns.Topic("alerts"))


def test_remediation_fills_in_configured_tags(pack):
    program = _tagged_by({"environment": "prod", "project": "platform"})
    assert pack.violations("tags-resource-required", program, CONFIG_REMEDIATE) == []
    fixes = [r for r in pack.remediations if r.policy_name == "tags-resource-required" and r.properties]
    assert fixes and fixes[0].properties["tags"] == {
        "owner": "platform-team",
        "cost-centre": "cc-1234",
        "managed-by": "pulumi",
    }


def test_taggable_types_match_the_installed_sdk():
    """Regenerate with: python tests/policies/test_tags_policies.py (writes taggable_types.txt)."""
    assert set(TAGGABLE_TYPES) == _sdk_taggable_types()


def _sdk_taggable_types() -> set[str]:
    root = Path(aws.__file__).parent
    token = re.compile(r"super\(\w+, __self__\).__init__\(\s*'(aws:[^']+)'")
    found = set()
    for path in root.glob("*/*.py"):
        source = path.read_text()
        match = token.search(source) if '__props__.__dict__["tags"] = tags' in source else None
        if match:
            found.add(match.group(1))
    return found


if __name__ == "__main__":
    target = ROOT / "policies" / "hardening" / "taggable_types.txt"
    target.write_text("".join(f"{t}\n" for t in sorted(_sdk_taggable_types())))
    print(f"wrote {target}")
