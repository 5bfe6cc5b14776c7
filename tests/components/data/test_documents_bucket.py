"""Documents bucket (DB-9): hardened, tiered, kept 7 years in prod, replicated to the DR region."""

from __future__ import annotations

import json

from tests.graph import region_of


def part(graph, bucket, kind):
    return graph.named(f"{graph.stack}-documents-{bucket}-{kind}")


def test_both_buckets_are_versioned_private_tls_only_and_kms_encrypted(stack):
    keys = {"primary": "data", "replica": "dr"}
    for bucket, key in keys.items():
        assert part(stack, bucket, "versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
        block = part(stack, bucket, "public-access-block").inputs
        assert all(
            block[k] is True
            for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
        (rule,) = part(stack, bucket, "encryption").inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        assert default == {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": stack.named(f"{stack.stack}-keys-{key}").outputs["arn"],
        }
        (statement,) = json.loads(part(stack, bucket, "policy").inputs["policy"])["Statement"]
        assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_replica_bucket_and_its_settings_live_in_the_dr_region(stack):
    replica_parts = [r for r in stack if r.name.startswith(f"{stack.stack}-documents-replica-") and r.custom]
    assert len(replica_parts) >= 7
    assert {region_of(stack, r) for r in replica_parts} == {"us-west-2"}
    assert region_of(stack, part(stack, "primary", "bucket")) == "us-east-1"


def test_documents_replicate_with_the_dr_key_including_kms_encrypted_objects(stack):
    config = stack.named(f"{stack.stack}-documents-replication-config")
    (rule,) = config.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert config.inputs["bucket"] == part(stack, "primary", "bucket").id
    assert rule["destination"]["bucket"] == part(stack, "replica", "bucket").outputs["arn"]
    dr_key = stack.named(f"{stack.stack}-keys-dr").outputs["arn"]
    assert rule["destination"]["encryptionConfiguration"] == {"replicaKmsKeyId": dr_key}
    assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"] == {"status": "Enabled"}
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    versionings = {part(stack, b, "versioning").urn for b in ("primary", "replica")}
    assert versionings <= set(config.dependencies)


def test_replication_role_may_only_read_the_source_and_write_the_replica(stack):
    role = stack.named(f"{stack.stack}-documents-replication")
    assert "s3.amazonaws.com" in role.inputs["assumeRolePolicy"]
    policy = json.loads(stack.named(f"{stack.stack}-documents-replication-policy").inputs["policy"])
    replica_arn = part(stack, "replica", "bucket").outputs["arn"]
    writes = [s for s in policy["Statement"] if "s3:ReplicateObject" in s["Action"]]
    assert [w["Resource"] for w in writes] == [f"{replica_arn}/*"]
    assert all(s["Resource"] != "*" for s in policy["Statement"])


def test_prod_keeps_old_document_versions_seven_years_and_replicates_within_15_minutes(prod):
    rules = {r["id"]: r for r in part(prod, "primary", "lifecycle").inputs["rules"]}
    tiering = rules["tiering-and-retention"]
    assert tiering["noncurrentVersionExpiration"]["noncurrentDays"] >= 7 * 365
    assert [t["storageClass"] for t in tiering["transitions"]] == ["STANDARD_IA", "GLACIER_IR"]
    assert "expiration" not in tiering  # current documents are never expired by lifecycle
    (rule,) = prod.named("prod-documents-replication-config").inputs["rules"]
    assert rule["destination"]["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}


def test_staging_keeps_old_versions_a_month(staging):
    rules = {r["id"]: r for r in part(staging, "primary", "lifecycle").inputs["rules"]}
    assert rules["tiering-and-retention"]["noncurrentVersionExpiration"]["noncurrentDays"] == 30


def test_prod_buckets_are_protected_and_the_primary_is_in_the_backup_selection(prod, staging):
    for bucket in ("primary", "replica"):
        assert part(prod, bucket, "bucket").protect
        assert part(prod, bucket, "bucket").inputs["forceDestroy"] is False
        assert not part(staging, bucket, "bucket").protect
    assert part(prod, "primary", "bucket").inputs["tags"] == {"backup": "true"}


def test_both_buckets_log_access_into_a_log_bucket_of_their_own_region(stack):
    logging = {r.name: r for r in stack.of_type("aws:s3/bucketLogging:BucketLogging")}
    for bucket, log_bucket, region in (
        ("documents-primary", "edge-logs", "us-east-1"),
        ("documents-replica", "documents-replica-logs", "us-west-2"),
    ):
        config = logging[f"{stack.stack}-{bucket}-logging"]
        target = stack.named(f"{stack.stack}-{log_bucket}-bucket")
        assert config.inputs["targetBucket"] == target.id
        assert region_of(stack, config) == region_of(stack, target) == region
    policy = json.loads(stack.named(f"{stack.stack}-documents-replica-logs-policy").inputs["policy"])
    (grant,) = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert (
        grant["Condition"]["StringEquals"]["aws:SourceAccount"]
        == {"staging": "111111111111", "prod": "222222222222"}[stack.stack]
    )
