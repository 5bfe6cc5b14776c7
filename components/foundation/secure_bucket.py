"""Hardened S3 buckets (DB-9, DB-2): private, encrypted, versioned, TLS-only, access-logged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .protection import UNPROTECTED, Protection

PUBLIC_ACCESS_BLOCKS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


class SecureBucket(pulumi.ComponentResource):
    """A private bucket: all four public-access blocks, default encryption (SSE-KMS with `key`;
    `key=None` means SSE-S3, only for the log-delivery targets AWS cannot write with a CMK),
    versioning, a bucket policy that denies plain HTTP, and server access logs into `log_bucket`.

    `policy_statements` are added to the TLS-only policy (a bucket has exactly one policy). When
    they depend on something built from this bucket (CloudFront's OAC grant names the
    distribution, which names the bucket), pass `defer_policy=True` and call `attach_policy`
    once: the policy is then registered after the resource it names.
    """

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy | None

    def __init__(
        self,
        name: str,
        key: aws.kms.Key | None,
        *,
        log_bucket: SecureBucket | None = None,
        log_prefix: str | None = None,
        policy_statements: pulumi.Input[Sequence[Mapping[str, Any]]] = (),
        defer_policy: bool = False,
        object_ownership: str = "BucketOwnerEnforced",
        expire_after_days: int | None = None,
        protection: Protection = UNPROTECTED,
        tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:buckets:SecureBucket", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        # Stateful: prod buckets can't be deleted by a stray `pulumi destroy` (DB-7); staging
        # buckets empty themselves on destroy so a test environment tears down cleanly.
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            force_destroy=not protection.enabled,
            tags=dict(tags) if tags else None,
            opts=protection.options(self),
        )
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn

        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=self.bucket.id,
            **dict.fromkeys(PUBLIC_ACCESS_BLOCKS, True),
            opts=child,
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=object_ownership),
            opts=child,
        )
        default = (
            aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=key.arn
            )
            if key is not None
            else aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=default,
                    # Bucket keys cut KMS requests (and their cost) by ~99% for busy buckets.
                    bucket_key_enabled=key is not None,
                )
            ],
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        if log_bucket is not None:
            self.logging = aws.s3.BucketLogging(
                f"{name}-logging",
                bucket=self.bucket.id,
                target_bucket=log_bucket.bucket.id,
                target_prefix=log_prefix or f"s3/{name}/",
                opts=child,
            )
        if expire_after_days is not None:
            self.lifecycle = aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=self.bucket.id,
                rules=[
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="expire",
                        status="Enabled",
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire_after_days),
                        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=30
                        ),
                        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=7
                        ),
                    )
                ],
                opts=child,
            )
        self.policy = None if defer_policy else self.attach_policy(policy_statements)
        self.register_outputs({"bucket_name": self.bucket_name, "arn": self.arn})

    def attach_policy(self, statements: pulumi.Input[Sequence[Mapping[str, Any]]] = ()) -> aws.s3.BucketPolicy:
        """Register the bucket's one policy: plain HTTP denied, plus `statements`."""
        if getattr(self, "policy", None) is not None:
            raise RuntimeError(f"{self._name}: the bucket policy is already attached")
        deny_plain_http = {
            "Sid": "DenyPlainHttp",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [self.arn, pulumi.Output.concat(self.arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        self.policy = aws.s3.BucketPolicy(
            f"{self._name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": pulumi.Output.all(
                        pulumi.Output.from_input(deny_plain_http), pulumi.Output.from_input(statements)
                    ).apply(lambda parts: [parts[0], *parts[1]]),
                }
            ),
            # S3 rejects a policy PUT while the public-access block is still being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        return self.policy


def server_access_logs_statement(bucket: SecureBucket, account_id: str) -> dict[str, Any]:
    """Lets S3 server access logging (from this account's buckets only) write under `s3/`."""
    return {
        "Sid": "S3WritesServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": pulumi.Output.concat(bucket.arn, "/s3/*"),
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def access_log_bucket(
    name: str, account_id: str, retention_days: int, protection: Protection, opts: pulumi.ResourceOptions
) -> SecureBucket:
    """A target for S3 server access logs in the region of `opts`' provider. SSE-S3: S3 server
    access logging cannot write into a bucket encrypted with a customer-managed key."""
    logs = SecureBucket(
        name, None, expire_after_days=retention_days, defer_policy=True, protection=protection, opts=opts
    )
    logs.attach_policy([server_access_logs_statement(logs, account_id)])
    return logs
