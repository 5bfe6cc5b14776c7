"""SecureBucket: every bucket private, encrypted, versioned, TLS-only and access-logged (DB-9)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.foundation.protection import Protection
from components.foundation.secure_bucket import PUBLIC_ACCESS_BLOCKS, SecureBucket
from pulumi_offline.program import run


def build(**kwargs):
    def program():
        key = aws.kms.Key("key")
        logs = SecureBucket("logs", None)
        SecureBucket("docs", key, log_bucket=logs, **kwargs)

    return run(program)


@pytest.fixture(scope="module")
def graph():
    return build(policy_statements=[{"Sid": "Extra", "Effect": "Allow", "Principal": {"Service": "x"}}])


def test_all_four_public_access_blocks_are_on(graph):
    block = graph.named("docs-public-access-block").inputs
    assert all(
        block[camel] is True
        for camel in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert len(PUBLIC_ACCESS_BLOCKS) == 4


def test_default_encryption_is_the_cmk_or_sse_s3_without_one(graph):
    (rule,) = graph.named("docs-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": graph.named("key").outputs["arn"],
    }
    (log_rule,) = graph.named("logs-encryption").inputs["rules"]
    assert log_rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_versioned_and_logged_into_the_log_bucket(graph):
    assert graph.named("docs-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    logging = graph.named("docs-logging").inputs
    assert logging["targetBucket"] == graph.named("logs-bucket").id
    assert logging["targetPrefix"] == "s3/docs/"


def test_policy_denies_plain_http_and_keeps_extra_statements(graph):
    statements = json.loads(graph.named("docs-policy").inputs["policy"])["Statement"]
    deny = statements[0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [
        graph.named("docs-bucket").outputs["arn"],
        graph.named("docs-bucket").outputs["arn"] + "/*",
    ]
    assert [s["Sid"] for s in statements] == ["DenyPlainHttp", "Extra"]


def test_protected_bucket_is_kept_on_destroy():
    graph = build(protection=Protection(enabled=True))
    bucket = graph.named("docs-bucket")
    assert bucket.protect and bucket.inputs["forceDestroy"] is False


def test_deferred_policy_is_attached_exactly_once():
    def program():
        bucket = SecureBucket("assets", None, defer_policy=True)
        assert bucket.policy is None
        bucket.attach_policy([{"Sid": "Later"}])
        with pytest.raises(RuntimeError, match="already attached"):
            bucket.attach_policy()
        pulumi.export("ok", True)

    graph = run(program)
    statements = json.loads(graph.named("assets-policy").inputs["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["DenyPlainHttp", "Later"]
