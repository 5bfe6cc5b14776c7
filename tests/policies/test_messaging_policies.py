"""SQS and SNS policies: customer-managed keys, public access policies, TLS-only policies."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
ACCOUNT = "123456789012"


def _document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal, action: str, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    return {**statement, "Condition": condition} if condition else statement


def _deny_plaintext(action) -> dict:
    return {
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _queue_with_policy(policy_doc: str | None, *, inline: bool = False):
    def program():
        if inline:
            aws.sqs.Queue("jobs", kms_master_key_id=KEY, policy=policy_doc)
            return
        queue = aws.sqs.Queue("jobs", kms_master_key_id=KEY)
        if policy_doc is not None:
            aws.sqs.QueuePolicy("jobs", queue_url=queue.url, policy=policy_doc)

    return program


def _topic_with_policy(policy_doc: str | None):
    def program():
        topic = aws.sns.Topic("alerts", kms_master_key_id=KEY)
        if policy_doc is not None:
            aws.sns.TopicPolicy("alerts", arn=topic.arn, policy=policy_doc)

    return program


SOURCE = {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:alerts"}}
CASES = [
    Case(
        "sqs-queue-cmk",
        lambda: aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True),
        lambda: aws.sqs.Queue("jobs", kms_master_key_id=KEY),
        "not encrypted with a customer-managed key",
    ),
    Case(
        "sqs-queue-cmk",
        lambda: aws.sqs.Queue("jobs", kms_master_key_id="alias/aws/sqs"),
        lambda: aws.sqs.Queue("jobs", kms_master_key_id=KEY),
        "AWS-managed",
    ),
    Case(
        "sns-topic-cmk",
        lambda: aws.sns.Topic("alerts"),
        lambda: aws.sns.Topic("alerts", kms_master_key_id=KEY),
        "kmsMasterKeyId is not set",
    ),
    Case(
        "sqs-queue-policy-not-public",
        _queue_with_policy(_document(_allow("*", "sqs:SendMessage"))),
        _queue_with_policy(_document(_allow("*", "sqs:SendMessage", SOURCE))),
        "Principal '*'",
    ),
    Case(
        "sqs-queue-policy-not-public",
        _queue_with_policy(_document(_allow({"AWS": ["*"]}, "sqs:*")), inline=True),
        _queue_with_policy(_document(_allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "sqs:*")), inline=True),
        "Principal '*'",
    ),
    Case(
        "sns-topic-policy-not-public",
        _topic_with_policy(
            _document(_allow({"AWS": "*"}, "sns:Publish", {"StringEquals": {"aws:SourceAccount": "*"}}))
        ),
        _topic_with_policy(
            _document(_allow({"AWS": "*"}, "sns:Publish", {"StringEquals": {"aws:SourceAccount": ACCOUNT}}))
        ),
        "Principal '*'",
    ),
    Case(
        "sns-topic-policy-not-public",
        _topic_with_policy(
            _document(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sns:Publish",
                    "Resource": "*",
                }
            )
        ),
        _topic_with_policy(
            _document(
                _allow(
                    {"Service": "cloudwatch.amazonaws.com"},
                    "sns:Publish",
                    {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                )
            )
        ),
        "NotPrincipal",
    ),
    Case(
        "sqs-queue-tls-only",
        _queue_with_policy(None),
        _queue_with_policy(_document(_deny_plaintext("sqs:*"))),
        "without TLS",
    ),
    Case(
        "sqs-queue-tls-only",
        _queue_with_policy(_document(_deny_plaintext("sqs:SendMessage"))),
        _queue_with_policy(_document(_deny_plaintext(["sqs:SendMessage", "sqs:ReceiveMessage"])), inline=True),
        "without TLS",
    ),
    Case(
        "sns-topic-tls-only",
        _topic_with_policy(None),
        _topic_with_policy(_document(_deny_plaintext("sns:Publish"))),
        "without TLS",
    ),
    Case(
        "sns-topic-tls-only",
        _topic_with_policy(_document(_deny_plaintext("sns:Subscribe"))),
        _topic_with_policy(_document(_deny_plaintext("*"))),
        "without TLS",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
