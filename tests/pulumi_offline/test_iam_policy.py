"""`iam.getPolicyDocument` computed offline: the JSON the provider writes, from its own rules
(terraform-provider-aws `aws_iam_policy_document`, bridged by pulumi-aws 7)."""

from __future__ import annotations

import json
import zlib

import pulumi_aws as aws
import pytest

from pulumi_offline import datasources
from pulumi_offline.datasources.iam_policy import PolicyDocumentError, document
from pulumi_offline.program import run

# One statement of every kind the provider documents, in wire (camelCase) form.
STATEMENTS = [
    {"sid": "1", "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "resources": ["arn:aws:s3:::*"]},
    {
        "actions": ["s3:ListBucket"],
        "resources": ["arn:aws:s3:::foo"],
        "conditions": [
            {"test": "StringLike", "variable": "s3:prefix", "values": ["home/", "", "home/&{aws:username}/"]}
        ],
        "notPrincipals": [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:root"]}],
    },
    {
        "actions": ["s3:*"],
        "resources": ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
        "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:root"]}],
    },
    {"effect": "Deny", "notActions": ["s3:*"], "notResources": ["arn:aws:s3:::*"]},
    {"actions": ["kinesis:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
    {"actions": ["firehose:*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
]

EXPECTED = {
    "Version": "2012-10-17",
    "Id": "policy_id",
    "Statement": [
        {
            "Sid": "1",
            "Effect": "Allow",
            # A set: several values sorted in reverse.
            "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
            # One value: a string.
            "Resource": "arn:aws:s3:::*",
        },
        {
            # No Sid: omitted (provider 5.0 and later), Effect defaults to Allow.
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::foo",
            "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"},
            # Condition values are a list: their order is kept, `&{` becomes `${`.
            "Condition": {"StringLike": {"s3:prefix": ["home/", "", "home/${aws:username}/"]}},
        },
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::foo/home/${aws:username}/*", "arn:aws:s3:::foo/home/${aws:username}"],
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        },
        {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::*"},
        # {"AWS": "*"} is not "*" (IAM treats them differently in trust policies).
        {"Effect": "Allow", "Action": "kinesis:*", "Principal": {"AWS": "*"}},
        {"Effect": "Allow", "Action": "firehose:*", "Principal": "*"},
    ],
}


def test_statements_render_as_the_provider_renders_them():
    result = document({"policyId": "policy_id", "statements": STATEMENTS})
    assert json.loads(result["json"]) == EXPECTED
    # Key order and layout are the provider's: Version, Id, Statement; two-space indent.
    assert result["json"].startswith('{\n  "Version": "2012-10-17",\n  "Id": "policy_id",\n  "Statement": [\n    {\n')
    assert result["minifiedJson"] == json.dumps(EXPECTED, separators=(",", ":"))
    assert result["id"] == str(zlib.crc32(result["json"].encode()))


def test_principals_group_by_type_and_conditions_by_test_and_variable():
    statement = {
        "actions": ["sts:AssumeRole"],
        "principals": [
            {"type": "Service", "identifiers": ["firehose.amazonaws.com"]},
            {"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:role/a"]},
            {"type": "Federated", "identifiers": ["cognito-identity.amazonaws.com", "arn:aws:iam::1:saml-provider/x"]},
        ],
        "conditions": [
            {"test": "StringEquals", "variable": "aws:PrincipalTag/team", "values": ["web"]},
            {"test": "StringEquals", "variable": "aws:PrincipalTag/team", "values": ["api"]},
            {"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]},
        ],
    }
    rendered = json.loads(document({"statements": [statement]})["json"])["Statement"][0]
    assert rendered["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:role/a",
        "Federated": ["cognito-identity.amazonaws.com", "arn:aws:iam::1:saml-provider/x"],
        "Service": "firehose.amazonaws.com",
    }
    assert list(rendered["Principal"]) == ["AWS", "Federated", "Service"]
    assert rendered["Condition"] == {
        "Bool": {"aws:SecureTransport": "true"},
        "StringEquals": {"aws:PrincipalTag/team": ["web", "api"]},
    }


def _doc(*statements: dict) -> str:
    return document({"statements": list(statements)})["json"]


def test_sources_merge_first_then_statements_then_overrides_by_sid():
    source = _doc(
        {"actions": ["ec2:*"], "resources": ["*"]}, {"sid": "Shared", "actions": ["s3:*"], "resources": ["*"]}
    )
    override = _doc({"sid": "Shared", "effect": "Deny", "actions": ["logs:*"], "resources": ["*"]})
    result = document(
        {
            "sourcePolicyDocuments": [source],
            "statements": [{"sid": "Own", "actions": ["iam:*"], "resources": ["*"]}],
            "overridePolicyDocuments": [override],
        }
    )
    statements = json.loads(result["json"])["Statement"]
    assert [(s.get("Sid"), s["Effect"], s["Action"]) for s in statements] == [
        (None, "Allow", "ec2:*"),
        ("Shared", "Deny", "logs:*"),  # replaced in place
        ("Own", "Allow", "iam:*"),
    ]


def test_duplicate_sids_among_sources_or_statements_are_refused():
    one = _doc({"sid": "Same", "actions": ["s3:*"], "resources": ["*"]})
    with pytest.raises(PolicyDocumentError, match=r"duplicate Sid \(Same\)"):
        document({"sourcePolicyDocuments": [one, one]})
    with pytest.raises(PolicyDocumentError, match=r"duplicate Sid \(Same\)"):
        document({"statements": [{"sid": "Same", "actions": ["a:b"]}, {"sid": "Same", "actions": ["c:d"]}]})


def test_a_refused_document_fails_the_invoke_as_the_provider_fails_it():
    def program():
        aws.iam.get_policy_document(
            statements=[{"sid": "Same", "actions": ["a:b"]}, {"sid": "Same", "actions": ["c:d"]}]
        )

    with pytest.raises(
        Exception, match=r"getPolicyDocument failed: duplicate Sid \(Same\) in statements \(statements\)"
    ):
        run(program)


def test_html_significant_characters_are_escaped_like_the_providers_encoder():
    text = _doc({"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::a&b<c>"]})
    assert "arn:aws:s3:::a\\u0026b\\u003cc\\u003e" in text
    assert json.loads(text)["Statement"][0]["Resource"] == "arn:aws:s3:::a&b<c>"


def test_the_sdk_call_gets_the_computed_document_and_it_is_listed():
    def program():
        policy = aws.iam.get_policy_document(
            statements=[
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                }
            ]
        )
        aws.iam.Role("fn", assume_role_policy=policy.json)

    with datasources.serving() as session:
        graph = run(program)
    assert json.loads(graph.named("fn").inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
        ],
    }
    assert [(s.token, s.source, s.arguments) for s in session.served] == [
        ("aws:iam/getPolicyDocument:getPolicyDocument", "computed", "1 statement(s)")
    ]
