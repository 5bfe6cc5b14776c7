"""The documents bucket (DB-9): versioned, SSE-KMS, private, TLS-only, tiered to cheaper storage
and replicated to a bucket in the DR region under that region's own key (seed: documents kept
7 years, replicated in real time to a secondary region)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .config.data import DocumentsSettings
from .postgres import assume_role_policy
from .protection import BACKUP_TAG, Protection

# S3 Replication Time Control's service level: 99.99% of objects replicated within 15 minutes.
RTC_MINUTES = 15
# Current documents move to cheaper classes as they age; all of them stay instantly readable.
CURRENT_TIERS = (("STANDARD_IA", 30), ("GLACIER_IR", 365))
# Superseded versions are rarely read: archive tiers (hours to restore) until they expire.
NONCURRENT_TIERS = (("STANDARD_IA", 30), ("GLACIER", 90), ("DEEP_ARCHIVE", 365))


def hardened_bucket(
    name: str,
    *,
    bucket_name: str,
    key: aws.kms.Key,
    noncurrent_days: int,
    protection: Protection,
    parent: pulumi.Resource,
    provider: aws.Provider | None = None,
    tags: dict[str, str] | None = None,
) -> tuple[aws.s3.Bucket, aws.s3.BucketVersioning]:
    """A bucket with versioning, SSE-KMS under `key` (bucket keys on), every public-access block,
    ACLs disabled, a TLS-only policy and the tiering lifecycle. (To fold into the shared bucket
    helper once it exists.)"""
    child = pulumi.ResourceOptions(parent=parent, provider=provider)
    bucket = aws.s3.Bucket(
        name, bucket=bucket_name, force_destroy=False, tags=tags, opts=protection.options(parent, provider=provider)
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.arn
                ),
                bucket_key_enabled=True,
            )
        ],
        opts=child,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
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
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[public_access]),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="tiering-and-retention",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(storage_class=cls, days=days)
                    for cls, days in CURRENT_TIERS
                ],
                noncurrent_version_transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionTransitionArgs(
                        storage_class=cls, noncurrent_days=days
                    )
                    for cls, days in NONCURRENT_TIERS
                    if days < noncurrent_days
                ],
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=noncurrent_days
                ),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7
                ),
            ),
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="remove-expired-delete-markers",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
            ),
        ],
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[versioning]),
    )
    return bucket, versioning


class Documents(pulumi.ComponentResource):
    """The application's document store and its replica in the DR region."""

    bucket: aws.s3.Bucket
    replica: aws.s3.Bucket

    def __init__(
        self,
        name: str,
        settings: DocumentsSettings,
        *,
        bucket_name: str,
        region: str,
        dr_region: str,
        key: aws.kms.Key,
        dr_key: aws.kms.Key,
        dr_provider: aws.Provider,
        protection: Protection,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:documents:Documents", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        retention = settings.noncurrent_version_retention_days

        self.bucket, versioning = hardened_bucket(
            f"{name}-bucket",
            bucket_name=bucket_name,
            key=key,
            noncurrent_days=retention,
            protection=protection,
            parent=self,
            tags=BACKUP_TAG,
        )
        self.replica, replica_versioning = hardened_bucket(
            f"{name}-replica",
            bucket_name=f"{bucket_name}-{dr_region}",
            key=dr_key,
            noncurrent_days=retention,
            protection=protection,
            parent=self,
            provider=dr_provider,
        )

        role = aws.iam.Role(
            f"{name}-replication",
            description=f"{bucket_name}: S3 replicates documents to {dr_region}",
            assume_role_policy=assume_role_policy("s3.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-replication-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                            "Resource": self.bucket.arn,
                        },
                        {
                            "Effect": "Allow",
                            "Action": [
                                "s3:GetObjectVersionForReplication",
                                "s3:GetObjectVersionAcl",
                                "s3:GetObjectVersionTagging",
                            ],
                            "Resource": pulumi.Output.concat(self.bucket.arn, "/*"),
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                            "Resource": pulumi.Output.concat(self.replica.arn, "/*"),
                        },
                        {
                            "Effect": "Allow",
                            "Action": "kms:Decrypt",
                            "Resource": key.arn,
                            "Condition": {"StringLike": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                            "Resource": dr_key.arn,
                            "Condition": {"StringLike": {"kms:ViaService": f"s3.{dr_region}.amazonaws.com"}},
                        },
                    ],
                }
            ),
            opts=child,
        )
        rtc = "Enabled" if settings.replication_time_control else "Disabled"
        self.replication = aws.s3.BucketReplicationConfig(
            f"{name}-replication-config",
            bucket=self.bucket.id,
            role=role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id="documents-to-dr",
                    status="Enabled",
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(),
                    delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Enabled"
                    ),
                    source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        )
                    ),
                    destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=self.replica.arn,
                        storage_class="STANDARD_IA",
                        encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=dr_key.arn
                        ),
                        replication_time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                            status=rtc,
                            time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(
                                minutes=RTC_MINUTES
                            ),
                        ),
                        metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                            status=rtc,
                            event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                                minutes=RTC_MINUTES
                            ),
                        ),
                    ),
                )
            ],
            # S3 accepts a replication configuration only once both buckets are versioned.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning, replica_versioning]),
        )

        self.bucket_name = self.bucket.bucket
        self.replica_bucket_name = self.replica.bucket
        self.register_outputs({"bucket_name": self.bucket_name, "replica_bucket_name": self.replica_bucket_name})
