"""IAM policies: what identity policies grant, who trust policies let in, and IAM users.

A permission reaches a role, user or group in five shapes, all read here: a standalone
`iam.Policy`, an inline `RolePolicy`/`UserPolicy`/`GroupPolicy`, `Role(inline_policies=[...])`,
an attachment (`RolePolicyAttachment`, `PolicyAttachment`, `RolePolicyAttachmentsExclusive`, the
user and group attachments) and `Role(managed_policy_arns=[...])`.
"""

from __future__ import annotations

import re

from . import _documents as doc
from . import _types as t
from ._helpers import get, items, known, strings, text
from ._policy import CRITICAL, HIGH, MEDIUM, resource_policy

_POLICY_DOCUMENTS = t.IAM_POLICY + t.IAM_ROLE_POLICY + t.IAM_USER_POLICY + t.IAM_GROUP_POLICY + t.IAM_ROLE
_ATTACHMENTS = (
    t.IAM_ROLE_POLICY_ATTACHMENT
    + t.IAM_USER_POLICY_ATTACHMENT
    + t.IAM_GROUP_POLICY_ATTACHMENT
    + t.IAM_POLICY_ATTACHMENT
    + t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE
    + t.IAM_ROLE
)
_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")
# GitHub's OIDC provider issues a token to every repository: only the `sub` claim names yours.
_GITHUB_OIDC = "token.actions.githubusercontent.com"


def _documents(args) -> list[tuple[str, object]]:
    """(where, document) for every identity-policy document the resource carries."""
    if args.resource_type in t.IAM_ROLE:
        return [
            (f"inline policy '{text(get(p, 'name'))}'", get(p, "policy"))
            for p in items(get(args.props, "inlinePolicies"))
        ]
    return [("the policy", get(args.props, "policy"))]


def _wildcard_grants(args, cfg):
    forbidden = {a.lower() for a in cfg["forbiddenActions"]}
    for where, document in _documents(args):
        for index, statement in enumerate(doc.statements(document)):
            if not doc.allows(statement):
                continue
            name = doc.label(statement, index)
            # NotResource grants every resource but those listed.
            resources = doc.values(statement, "Resource") or (["*"] if doc.field(statement, "NotResource") else [])
            granted = [a for a in doc.values(statement, "Action") if a.lower() in forbidden]
            if granted and ("*" in resources or any(a.lower() == "iam:*" for a in granted)):
                yield f"{where}: {name} allows {', '.join(granted)} on {', '.join(resources) or 'every resource'}"
            elif doc.values(statement, "NotAction") and "*" in resources:
                yield f"{where}: {name} uses Allow with NotAction on '*', granting every other action"


def _attached_arns(args) -> list[str]:
    if args.resource_type in t.IAM_ROLE:
        return strings(get(args.props, "managedPolicyArns"))
    if args.resource_type in t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
        return strings(get(args.props, "policyArns"))
    return strings(get(args.props, "policyArn"))


def _admin_attachment(args, cfg):
    forbidden = set(cfg["forbiddenPolicies"])
    for arn in _attached_arns(args):
        match = _AWS_MANAGED.match(arn)
        if match and match.group("name") in forbidden:
            yield f"attaches the AWS-managed {match.group('name')} policy"


def _web_identity_unbound(statement) -> bool:
    providers = doc.values(doc.field(statement, "Principal"), "Federated")
    actions = {a.lower() for a in doc.values(statement, "Action")}
    if not providers or not actions & {"sts:assumerolewithwebidentity", "sts:*", "*"}:
        return False
    condition = doc.field(statement, "Condition")
    keys = [str(k).lower() for op in (condition or {}) for k in (condition[op] or {})]
    needed = ":sub" if any(_GITHUB_OIDC in p for p in providers) else (":sub", ":aud")
    return not any(k.endswith(needed) for k in keys)


def _trust_policy(args, _cfg):
    document = get(args.props, "assumeRolePolicy")
    yield from (f"the trust policy's {finding}" for finding in doc.public_statements(document))
    for index, statement in enumerate(doc.statements(document)):
        if doc.allows(statement) and _web_identity_unbound(statement):
            yield (
                f"the trust policy's {doc.label(statement, index)} lets any identity of its web-identity provider "
                "assume the role (no condition on the token's sub/aud claim)"
            )


def _user(args) -> str:
    """The user's name, or the resource's while it is unknown (the finding does not depend on it)."""
    return text(known(get, args.props, "user")) or args.name


def _access_key(args, _cfg):
    yield f"an access key is created for IAM user '{_user(args)}'"


def _user_policies(args, _cfg):
    if args.resource_type in t.IAM_POLICY_ATTACHMENT:
        users = strings(get(args.props, "users"))
        if users:
            yield f"the policy is attached directly to user(s) {', '.join(users)}"
        return
    yield f"a policy is attached directly to IAM user '{_user(args)}'"


POLICIES = [
    resource_policy(
        "iam-policy-no-wildcard-admin",
        types=_POLICY_DOCUMENTS,
        description="No identity policy allows every action (`*`) on every resource, or `iam:*`: a role that "
        "can do anything turns any compromise of its workload into a compromise of the account.",
        severity=CRITICAL,
        checklist=("IAM-1",),
        remediation="List the actions and resource ARNs the workload needs in the statement of the "
        "aws.iam.Policy(policy=...), aws.iam.RolePolicy(role=..., policy=...), aws.iam.UserPolicy(user=..., "
        "policy=...), aws.iam.GroupPolicy(group=..., policy=...) or aws.iam.Role(inline_policies=[{'name': ..., "
        "'policy': ...}]); never 'Action': '*' with 'Resource': '*', 'iam:*', or Allow with NotAction.",
        check=_wildcard_grants,
        config={"forbiddenActions": {"type": "array", "items": {"type": "string"}, "default": ["*", "*:*", "iam:*"]}},
    ),
    resource_policy(
        "iam-policyattachment-no-admin-policy",
        types=_ATTACHMENTS,
        description="No role, user or group gets an AWS-managed administrator policy (AdministratorAccess, "
        "PowerUserAccess, IAMFullAccess): workloads get policies scoped to what they do.",
        severity=CRITICAL,
        checklist=("IAM-1",),
        remediation="Remove the administrator ARN from aws.iam.RolePolicyAttachment(role=..., policy_arn=...), "
        "aws.iam.PolicyAttachment(policy_arn=..., roles=[...]), aws.iam.UserPolicyAttachment(user=..., "
        "policy_arn=...), aws.iam.GroupPolicyAttachment(group=..., policy_arn=...) or "
        "aws.iam.Role(managed_policy_arns=[...]); attach an aws.iam.Policy listing the needed actions instead.",
        check=_admin_attachment,
        config={
            "forbiddenPolicies": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"],
            }
        },
    ),
    resource_policy(
        "iam-role-trust-named-principals",
        types=t.IAM_ROLE,
        description="A role's trust policy names who may assume it: no `*` principal or NotPrincipal without a "
        "condition naming an account, organisation or source, and web-identity trust bound to the token's "
        "subject, so no stranger can assume the role.",
        severity=CRITICAL,
        checklist=("IAM-1", "IAM-3"),
        remediation="In aws.iam.Role(assume_role_policy=...), set 'Principal' to the service "
        "({'Service': 'ec2.amazonaws.com'}) or account role ARNs that assume it, or add a condition such as "
        "{'StringEquals': {'aws:PrincipalOrgID': 'o-…'}}; for OIDC providers add "
        "{'StringLike': {'token.actions.githubusercontent.com:sub': 'repo:<org>/<repo>:*'}}.",
        check=_trust_policy,
    ),
    resource_policy(
        "iam-user-no-access-keys",
        types=t.IAM_ACCESS_KEY,
        description="No IAM user access keys: long-lived keys leak through laptops, CI logs and state files; "
        "people use federation (IAM Identity Center) and workloads use roles.",
        severity=HIGH,
        checklist=("IAM-2",),
        remediation="Delete the aws.iam.AccessKey(user=...); give CI an aws.iam.Role trusted through an "
        "aws.iam.OpenIdConnectProvider, and workloads an instance profile or task role.",
        check=_access_key,
    ),
    resource_policy(
        "iam-user-no-direct-policies",
        types=t.IAM_USER_POLICY + t.IAM_USER_POLICY_ATTACHMENT + t.IAM_POLICY_ATTACHMENT,
        description="Permissions are never attached to IAM users directly; they go to roles (or groups during a "
        "migration), where they are reviewed once.",
        severity=MEDIUM,
        checklist=("IAM-2",),
        remediation="Replace aws.iam.UserPolicy(user=..., policy=...) / aws.iam.UserPolicyAttachment(user=..., "
        "policy_arn=...) / aws.iam.PolicyAttachment(users=[...]) with a role people assume through federation.",
        check=_user_policies,
    ),
]
