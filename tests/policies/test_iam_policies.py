"""IAM policies: wildcard grants in every policy shape, admin attachments, trust policies, users."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadDocs", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::docs/*"}
    ],
}
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ANYONE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}
ORG_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        }
    ],
}
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def _github_trust(condition: dict) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": GITHUB},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _role(**overrides):
    return lambda: aws.iam.Role("app", **{"assume_role_policy": json.dumps(EC2_TRUST), **overrides})


def _role_policy(document):
    return lambda: aws.iam.RolePolicy("app", role="app-role", policy=json.dumps(document))


def _attachment(arn: str):
    return lambda: aws.iam.RolePolicyAttachment("app", role="app-role", policy_arn=arn)


def _user_with_key():
    user = aws.iam.User("deployer")
    aws.iam.AccessKey("deployer", user=user.name)


CASES = [
    Case("iam-policy-no-wildcard-admin", _role_policy(ADMIN), _role_policy(SCOPED), "allows * on *"),
    Case(
        "iam-policy-no-wildcard-admin",
        lambda: aws.iam.Policy("admin", policy=json.dumps(ADMIN)),
        lambda: aws.iam.Policy("admin", policy=json.dumps(SCOPED)),
        "allows * on *",
    ),
    Case(
        "iam-policy-no-wildcard-admin",
        _role(inline_policies=[{"name": "all", "policy": json.dumps(ADMIN)}]),
        _role(inline_policies=[{"name": "docs", "policy": json.dumps(SCOPED)}]),
        "inline policy 'all'",
    ),
    Case(
        "iam-policy-no-wildcard-admin",
        lambda: aws.iam.UserPolicy(
            "ops",
            user="ops",
            policy=json.dumps(
                {"Statement": {"Effect": "Allow", "Action": ["iam:*"], "Resource": ["arn:aws:iam::1:role/x"]}}
            ),
        ),
        lambda: aws.iam.UserPolicy("ops", user="ops", policy=json.dumps(SCOPED)),
        "iam:*",
    ),
    Case(
        "iam-policy-no-wildcard-admin",
        lambda: aws.iam.GroupPolicy(
            "ops",
            group="ops",
            policy=json.dumps({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
        ),
        lambda: aws.iam.GroupPolicy("ops", group="ops", policy=json.dumps(SCOPED)),
        "NotAction",
    ),
    Case(
        "iam-policy-no-wildcard-admin",
        _role_policy({"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit/*"}]}),
        _role_policy({"Statement": [{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::audit/*"}]}),
        "allows * on *",
    ),
    Case(
        "iam-policyattachment-no-admin-policy",
        _attachment("arn:aws:iam::aws:policy/AdministratorAccess"),
        _attachment("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
        "AdministratorAccess",
    ),
    Case(
        "iam-policyattachment-no-admin-policy",
        _role(managed_policy_arns=["arn:aws:iam::aws:policy/PowerUserAccess"]),
        _role(managed_policy_arns=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]),
        "PowerUserAccess",
    ),
    Case(
        "iam-policyattachment-no-admin-policy",
        lambda: aws.iam.PolicyAttachment(
            "admins", policy_arn="arn:aws:iam::aws:policy/AdministratorAccess", groups=["admins"]
        ),
        lambda: aws.iam.PolicyAttachment(
            "admins", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", groups=["admins"]
        ),
        "AdministratorAccess",
    ),
    Case(
        "iam-role-trust-named-principals",
        _role(assume_role_policy=json.dumps(ANYONE_TRUST)),
        _role(assume_role_policy=json.dumps(ORG_TRUST)),
        "Principal '*'",
    ),
    Case(
        "iam-role-trust-named-principals",
        _role(
            assume_role_policy=_github_trust(
                {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
            )
        ),
        _role(
            assume_role_policy=_github_trust(
                {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"},
                }
            )
        ),
        "web-identity provider",
    ),
    Case("iam-user-no-access-keys", _user_with_key, lambda: aws.iam.User("deployer"), "access key"),
    Case(
        "iam-user-no-direct-policies",
        lambda: aws.iam.UserPolicyAttachment("ops", user="ops", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"),
        lambda: aws.iam.GroupPolicyAttachment("ops", group="ops", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"),
        "directly to IAM user 'ops'",
    ),
    Case(
        "iam-user-no-direct-policies",
        lambda: aws.iam.PolicyAttachment("ro", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", users=["ops"]),
        lambda: aws.iam.PolicyAttachment("ro", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", roles=["ops"]),
        "user(s) ops",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_a_condition_that_does_not_name_an_account_leaves_the_trust_open(pack):
    document = {
        **ANYONE_TRUST,
        "Statement": [{**ANYONE_TRUST["Statement"][0], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}],
    }
    assert pack.violations("iam-role-trust-named-principals", _role(assume_role_policy=json.dumps(document)))
