"""The documents bucket (DB-9): a SecureBucket (versioned, SSE-KMS, private, TLS-only) tiered to
cheaper storage and replicated to a bucket in the DR region under that region's own key (seed:
documents kept 7 years, replicated in real time to a secondary region)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config.data import DocumentsSettings
from ..foundation.protection import BACKUP_TAG, Protection
from ..foundation.secure_bucket import SecureBucket, access_log_bucket
from .store_context import assume_role_policy

# S3 Replication Time Control's service level: 99.99% of objects replicated within 15 minutes.
RTC_MINUTES = 15
# Current documents move to cheaper classes as they age; all of them stay instantly readable.
CURRENT_TIERS = (("STANDARD_IA", 30), ("GLACIER_IR", 365))
# Superseded versions are rarely read: archive tiers (hours to restore) until they expire.
NONCURRENT_TIERS = (("STANDARD_IA", 30), ("GLACIER", 90), ("DEEP_ARCHIVE", 365))


def _tiering(name: str, bucket: SecureBucket, noncurrent_days: int) -> aws.s3.BucketLifecycleConfiguration:
    """Current documents are kept until the application deletes them; older versions for
    `noncurrent_days` (7 years in prod), moving down the storage classes meanwhile."""
    return aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="tiering-and-retention",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
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
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
            ),
        ],
        opts=pulumi.ResourceOptions(parent=bucket, depends_on=[bucket.versioning]),
    )


class Documents(pulumi.ComponentResource):
    """The application's document store and its replica in the DR region."""

    bucket: SecureBucket
    replica: SecureBucket

    def __init__(
        self,
        name: str,
        settings: DocumentsSettings,
        *,
        region: str,
        dr_region: str,
        key: aws.kms.Key,
        dr_key: aws.kms.Key,
        dr_provider: aws.Provider,
        protection: Protection,
        account_id: str,
        log_retention_days: int,
        log_bucket: SecureBucket | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:documents:Documents", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        retention = settings.noncurrent_version_retention_days

        self.bucket = SecureBucket(
            f"{name}-primary",
            key,
            log_bucket=log_bucket,
            protection=protection,
            tags=BACKUP_TAG,
            opts=child,
        )
        # DB-9: after a regional failover the replica is the live bucket, so its reads and writes
        # are logged too, into a log bucket in its own region (S3 logs only to the same region).
        in_dr = pulumi.ResourceOptions(parent=self, providers={"aws": dr_provider})
        self.replica_logs = access_log_bucket(
            f"{name}-replica-logs", account_id, log_retention_days, protection, opts=in_dr
        )
        self.replica = SecureBucket(
            f"{name}-replica", dr_key, log_bucket=self.replica_logs, protection=protection, opts=in_dr
        )
        _tiering(f"{name}-primary", self.bucket, retention)
        _tiering(f"{name}-replica", self.replica, retention)

        role = aws.iam.Role(
            f"{name}-replication",
            description=f"S3 replicates the documents bucket to {dr_region}",
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
            bucket=self.bucket.bucket.id,
            role=role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id="documents-to-dr",
                    status="Enabled",
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bucket.versioning, self.replica.versioning]),
        )

        self.bucket_name = self.bucket.bucket_name
        self.replica_bucket_name = self.replica.bucket_name
        self.register_outputs({"bucket_name": self.bucket_name, "replica_bucket_name": self.replica_bucket_name})
