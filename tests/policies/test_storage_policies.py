"""Object storage policies (v7 split bucket resources, plus the deprecated inline arguments)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
from conftest import DR_REGION, Case, assert_case, on, provider

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _tls_policy(bucket):
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def _bucket(name="documents", *, skip=(), sse="aws:kms", opts=None):
    """A bucket with every companion resource except those in `skip`."""
    bucket = aws.s3.Bucket(name, opts=opts)
    child = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(parent=bucket)) if opts else None
    if "block" not in skip:
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
    if "sse" not in skip:
        default = {"sse_algorithm": sse, **({"kms_master_key_id": KEY} if sse.startswith("aws:kms") else {})}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse", bucket=bucket.id, rules=[{"apply_server_side_encryption_by_default": default}], opts=child
        )
    if "versioning" not in skip:
        aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
        )
    if "policy" not in skip:
        aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id, policy=_tls_policy(bucket), opts=child)
    if "logging" not in skip:
        aws.s3.BucketLogging(
            f"{name}-logging", bucket=bucket.id, target_bucket="access-logs", target_prefix=f"{name}/", opts=child
        )
    return bucket


def _replicated(dr_region: str | None):
    def program():
        primary, dr = provider(), provider("dr", region=dr_region or "eu-west-1")
        source = _bucket("documents", opts=on(primary))
        target = _bucket("documents-replica", opts=on(dr))
        aws.s3.BucketReplicationConfig(
            "documents-replication",
            bucket=source.id,
            role="arn:aws:iam::1:role/r",
            rules=[
                {
                    "id": "all",
                    "status": "Enabled",
                    "filter": {},
                    "delete_marker_replication": {"status": "Enabled"},
                    "destination": {"bucket": target.arn},
                }
            ],
            opts=on(primary),
        )

    return program


def _alb_log_bucket(sse: str):
    def program():
        logs = _bucket("alb-logs", sse=sse, skip=("logging",))
        aws.lb.LoadBalancer("web", subnets=["subnet-1"], access_logs={"bucket": logs.bucket, "enabled": True})

    return program


def _access_log_target(sse: str, name: str = "documents-logs"):
    """`name` receives another bucket's S3 server access logs."""

    def program():
        logs = _bucket(name, sse=sse, skip=("logging",))
        source = _bucket("reports", skip=("logging",))
        aws.s3.BucketLogging("reports-logging", bucket=source.id, target_bucket=logs.id, target_prefix="s3/")

    return program


def _public_policy(condition: bool):
    statement = {
        "Sid": "Read",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    if condition:
        statement["Condition"] = {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}}
    return lambda: aws.s3.BucketPolicy(
        "p", bucket="b", policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [statement]})
    )


def _statement_policy(**statement):
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Action": "s3:GetObject", **statement}]}
    return lambda: aws.s3.BucketPolicy("p", bucket="b", policy=pulumi.Output.json_dumps(document))


def _narrow_tls_deny(**narrowed):
    """A bucket whose TLS-only Deny covers one principal or one action only."""

    def program():
        bucket = _bucket(skip=("policy",))
        deny = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            **narrowed,
        }
        policy = pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [deny]})
        aws.s3.BucketPolicy("documents-policy", bucket=bucket.id, policy=policy)

    return program


def _bucket_v2(**inline):
    """The v6 aws.s3.BucketV2, configured through its plural inline arguments."""

    def program():
        bucket = aws.s3.BucketV2("legacy", **inline)
        aws.s3.BucketPublicAccessBlock(
            "legacy-pab",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )

    return program


ANYONE = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Resource": "arn:aws:s3:::b/*"}
FROM_CLOUDFRONT = {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}}
PUBLIC_READ = {"Version": "2012-10-17", "Statement": [{**ANYONE, "Action": "s3:GetObject"}]}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
SSE_KMS = aws.s3.BucketV2ServerSideEncryptionConfigurationArgs(
    rules=[
        aws.s3.BucketV2ServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_defaults=[
                aws.s3.BucketV2ServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=KEY
                )
            ]
        )
    ]
)

# The same as a plain dict: the SDK passes its snake_case keys through untranslated.
SSE_KMS_DICT = {
    "rules": [{"apply_server_side_encryption_by_defaults": [{"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}]}]
}

CASES = [
    Case("s3-bucket-versioning", _bucket_v2(), _bucket_v2(versionings=[{"enabled": True}]), "versioning"),
    Case(
        "s3-bucket-encryption-cmk",
        _bucket_v2(),
        _bucket_v2(server_side_encryption_configurations=[SSE_KMS_DICT]),
        "customer-managed KMS key",
    ),
    Case(
        "s3-bucket-encryption-cmk",
        _bucket_v2(),
        _bucket_v2(server_side_encryption_configurations=[SSE_KMS]),
        "customer-managed KMS key",
    ),
    Case(
        "s3-bucket-access-logging",
        _bucket_v2(),
        _bucket_v2(loggings=[{"target_bucket": "access-logs", "target_prefix": "legacy/"}]),
        "no server access logging",
    ),
    Case(
        "s3-bucket-tls-only", _narrow_tls_deny(Principal={"AWS": "arn:aws:iam::1:role/app"}), lambda: _bucket(), "TLS"
    ),
    Case("s3-bucket-tls-only", _narrow_tls_deny(Action="s3:GetObject"), lambda: _bucket(), "TLS"),
    Case(
        "s3-bucketpolicy-no-public-principal",
        _statement_policy(**ANYONE, Condition={"Bool": {"aws:SecureTransport": "true"}}),
        _statement_policy(**ANYONE, Condition=FROM_CLOUDFRONT),
        "allows anyone",
    ),
    Case(
        "s3-bucketpolicy-no-public-principal",
        _statement_policy(**ANYONE, Condition={"StringLike": {"aws:SourceArn": "arn:aws:cloudfront::*"}}),
        _statement_policy(**ANYONE, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        "allows anyone",
    ),
    Case(
        "s3-bucketpolicy-no-public-principal",
        _statement_policy(Effect="Allow", NotPrincipal={"AWS": "arn:aws:iam::1:root"}, Resource="arn:aws:s3:::b/*"),
        _statement_policy(Effect="Allow", Principal={"AWS": "arn:aws:iam::1:root"}, Resource="arn:aws:s3:::b/*"),
        "NotPrincipal",
    ),
    Case(
        "s3-bucketpolicy-no-public-principal",
        lambda: aws.s3.Bucket("b", policy=pulumi.Output.json_dumps(PUBLIC_READ)),
        lambda: aws.s3.Bucket("b"),
        "allows anyone",
    ),
    Case(
        "s3-bucketacl-not-public",
        lambda: aws.s3.Bucket("b", acl="public-read"),
        lambda: aws.s3.Bucket("b"),
        "public-read",
    ),
    Case(
        "s3-bucketacl-not-public",
        lambda: aws.s3.Bucket("b", grants=[{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}]),
        lambda: aws.s3.Bucket("b", acl="private"),
        "READ to AllUsers",
    ),
    Case(
        "s3-bucket-public-access-block-present",
        lambda: _bucket(skip=("block",)),
        lambda: _bucket(),
        "no public access block",
    ),
    Case(
        "s3-bucketpublicaccessblock-all-enabled",
        lambda: aws.s3.BucketPublicAccessBlock("pab", bucket="b", block_public_acls=True),
        lambda: aws.s3.BucketPublicAccessBlock(
            "pab",
            bucket="b",
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        ),
        "restrictPublicBuckets",
    ),
    Case("s3-bucket-encryption-cmk", lambda: _bucket(sse="AES256"), lambda: _bucket(), "customer-managed KMS key"),
    Case("s3-bucket-encryption-cmk", _alb_log_bucket("none"), _alb_log_bucket("AES256"), "customer-managed"),
    Case("s3-bucket-encryption-cmk", _access_log_target("none"), _access_log_target("AES256"), "customer-managed"),
    Case("s3-bucket-versioning", lambda: _bucket(skip=("versioning",)), lambda: _bucket(), "versioning"),
    Case("s3-bucket-tls-only", lambda: _bucket(skip=("policy",)), lambda: _bucket(), "aws:SecureTransport"),
    Case(
        "s3-bucket-access-logging",
        lambda: _bucket(skip=("logging",)),
        _alb_log_bucket("AES256"),
        "no server access logging",
    ),
    Case("s3-bucket-cross-region-replication", _replicated("eu-west-1"), _replicated(DR_REGION), "another region"),
    Case("s3-bucketpolicy-no-public-principal", _public_policy(False), _public_policy(True), "allows anyone"),
    Case(
        "s3-bucketacl-not-public",
        lambda: aws.s3.BucketAcl("acl", bucket="b", acl="public-read"),
        lambda: aws.s3.BucketAcl("acl", bucket="b", acl="private"),
        "public-read",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_v6_inline_bucket_settings_are_honoured(pack):
    # The deprecated inline arguments still configure the bucket; judge them fairly.
    program = lambda: aws.s3.Bucket("legacy", versioning={"enabled": True})  # noqa: E731
    assert pack.violations("s3-bucket-versioning", program) == []


def test_replication_only_required_for_matching_buckets(pack):
    assert pack.violations("s3-bucket-cross-region-replication", lambda: _bucket("assets")) == []
    # A documents bucket's access-log bucket holds logs, not documents.
    assert pack.violations("s3-bucket-cross-region-replication", _access_log_target("AES256")) == []
