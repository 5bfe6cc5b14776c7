"""Object storage policies: S3 public access, encryption, versioning, TLS-only, logging, replication.

pulumi-aws v7 configures a bucket through separate resources (`BucketVersioning`,
`BucketServerSideEncryptionConfiguration`, …) that point at it with `bucket`, so most rules are
stack policies that find those resources for each bucket. The deprecated inline arguments on
`aws.s3.Bucket` are honoured too, so older programs are judged fairly.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatch

from . import _types as t
from ._helpers import UNKNOWN, find_keys, flag, get, items, json_document, known, region_of, strings, text
from ._policy import CRITICAL, HIGH, MEDIUM, Stack, resource_policy, stack_policy
from .network import is_internet

_BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
_PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
_PUBLIC_GROUPS = ("AllUsers", "AuthenticatedUsers")


def _attached(stack: Stack, types: tuple[str, ...], bucket, prop: str = "bucket") -> list:
    return stack.referrers(types, bucket, prop)


def _inline(bucket, singular: str) -> list:
    """A deprecated inline block: `versioning` on aws.s3.Bucket, `versionings` (a list) on the v6
    aws.s3.BucketV2."""
    return items(known(get, bucket.props, singular)) + items(known(get, bucket.props, f"{singular}s"))


def _log_buckets(stack: Stack) -> set[str]:
    """URNs of buckets that receive logs (ALB, CloudFront, S3 server access logs)."""
    urns = set()
    for bucket in stack.of(t.BUCKET):
        if (
            stack.referrers(t.LOAD_BALANCER, bucket, "accessLogs", "bucket")
            or stack.referrers(t.DISTRIBUTION, bucket, "loggingConfig", "bucket")
            or stack.referrers(t.BUCKET_LOGGING, bucket, "targetBucket")
        ):
            urns.add(bucket.urn)
    return urns


def _public_access_block_present(stack: Stack, _cfg):
    for bucket in stack.of(t.BUCKET):
        if not _attached(stack, t.BUCKET_PUBLIC_ACCESS_BLOCK, bucket):
            yield f"bucket '{bucket.name}' has no public access block", bucket.urn


def _public_access_block_flags(args, _cfg):
    off = [name for name in _BLOCK_FLAGS if not flag(get(args.props, name))]
    if off:
        yield f"{', '.join(off)} must be true"


def _encryption(stack: Stack, _cfg):
    # ELB access logs and S3 server access logs can only be delivered to SSE-S3 buckets (AWS
    # constraint); CloudFront's standard logs have no such limit, so they alone don't exempt.
    sse_s3_targets = {
        b.urn
        for b in stack.of(t.BUCKET)
        if stack.referrers(t.LOAD_BALANCER, b, "accessLogs", "bucket")
        or stack.referrers(t.BUCKET_LOGGING, b, "targetBucket")
    }
    for bucket in stack.of(t.BUCKET):
        configs = [c.props for c in _attached(stack, t.BUCKET_ENCRYPTION, bucket)]
        configs += _inline(bucket, "serverSideEncryptionConfiguration")
        defaults = [d for c in configs for d in find_keys(c, "applyServerSideEncryptionByDefault")]
        defaults += [
            d for c in configs for ds in find_keys(c, "applyServerSideEncryptionByDefaults") for d in items(ds)
        ]
        algorithms = {text(a) for d in defaults for a in find_keys(d, "sseAlgorithm")}
        with_cmk = any(algorithm.startswith("aws:kms") for algorithm in algorithms) and any(
            key for d in defaults for key in find_keys(d, "kmsMasterKeyId")
        )
        if bucket.urn in sse_s3_targets and algorithms & {"AES256", "aws:kms"}:
            continue
        if not with_cmk:
            yield f"bucket '{bucket.name}' is not encrypted with a customer-managed KMS key", bucket.urn


def _versioning(stack: Stack, _cfg):
    for bucket in stack.of(t.BUCKET):
        enabled = any(
            text(get(v.props, "versioningConfiguration", "status")) == "Enabled"
            for v in _attached(stack, t.BUCKET_VERSIONING, bucket)
        ) or any(flag(get(v, "enabled")) for v in _inline(bucket, "versioning"))
        if not enabled:
            yield f"bucket '{bucket.name}' does not have versioning enabled", bucket.urn


def _everyone(principal) -> bool:
    return principal == "*" or "*" in strings(get(principal, "AWS"))


def _denies_insecure_transport(document) -> bool:
    """A Deny on aws:SecureTransport false for every principal and every S3 action (a Deny that
    names one principal or one action leaves the rest reachable over plain HTTP)."""
    for statement in items(get(document, "Statement")):
        if text(get(statement, "Effect")) != "Deny" or not _everyone(get(statement, "Principal")):
            continue
        if not {"*", "s3:*"} & set(strings(get(statement, "Action"))):
            continue
        for condition in find_keys(get(statement, "Condition"), "aws:SecureTransport"):
            if "false" in [v.lower() for v in strings(condition)] or condition is False:
                return True
    return False


def _tls_only(stack: Stack, _cfg):
    for bucket in stack.of(t.BUCKET):
        policies = [known(get, p.props, "policy", default=UNKNOWN) for p in _attached(stack, t.BUCKET_POLICY, bucket)]
        if UNKNOWN in policies:
            continue  # a policy built from unknown ARNs is judged when the stack is deployed
        documents = [json_document(p) for p in [*policies, get(bucket.props, "policy")]]
        if not any(_denies_insecure_transport(d) for d in documents if d):
            yield f"bucket '{bucket.name}' has no policy denying requests without TLS (aws:SecureTransport)", bucket.urn


def _access_logging(stack: Stack, cfg):
    log_buckets = _log_buckets(stack)
    for bucket in stack.of(t.BUCKET):
        if bucket.urn in log_buckets or any(fnmatch(bucket.name, p) for p in cfg["exemptBuckets"]):
            continue
        inline = any(get(entry, "targetBucket") for entry in _inline(bucket, "logging"))
        if not _attached(stack, t.BUCKET_LOGGING, bucket) and not inline:
            yield f"bucket '{bucket.name}' has no server access logging", bucket.urn


def _replication(stack: Stack, cfg):
    log_buckets = _log_buckets(stack)  # a documents bucket's access logs are not documents
    for bucket in stack.of(t.BUCKET):
        if bucket.urn in log_buckets or not any(fnmatch(bucket.name, p) for p in cfg["replicatedBuckets"]):
            continue
        if stack.referrers(t.BUCKET_REPLICATION, bucket, "rules"):
            continue  # the replica itself
        here = region_of(bucket)
        replicated = False
        for config in _attached(stack, t.BUCKET_REPLICATION, bucket):
            for rule in items(get(config.props, "rules")):
                if text(get(rule, "status")) != "Enabled":
                    continue
                destinations = stack.referenced(config, t.BUCKET, "rules")
                regions = {region_of(d) for d in destinations if d.urn != bucket.urn}
                replicated = replicated or any(r and r != here for r in regions) or not destinations
        if not replicated:
            yield f"bucket '{bucket.name}' is not replicated to a bucket in another region", bucket.urn


# Condition keys that, with a fixed value, confine a statement to known callers: what S3 itself
# does not count as public ("The meaning of public" in the S3 user guide).
_CONFINING_KEYS = {
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:sourceip",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
}


def _confined(condition) -> bool:
    """Whether some condition pins a confining key to fixed values (no wildcards; source IPs that
    are not the whole internet)."""
    for operator in condition if isinstance(condition, Mapping) else ():
        if operator.lower().startswith(("stringnot", "arnnot", "notip")) or "ifexists" in operator.lower():
            continue  # negated or optional conditions do not pin the caller down
        entries = get(condition, operator)
        for key in entries if isinstance(entries, Mapping) else ():
            values = strings(get(entries, key))
            if key.lower() not in _CONFINING_KEYS or not values:
                continue
            if key.lower() == "aws:sourceip":
                if not any(is_internet(v) for v in values):
                    return True
            elif not any("*" in v or "?" in v for v in values):
                return True
    return False


def _policy_public(args, _cfg):
    document = json_document(get(args.props, "policy"))
    for statement in items(get(document, "Statement")):
        if text(get(statement, "Effect")) != "Allow":
            continue
        sid = text(get(statement, "Sid")) or "(no Sid)"
        if get(statement, "NotPrincipal") is not None:
            yield f"statement '{sid}' allows everyone except the NotPrincipal"
        elif _everyone(get(statement, "Principal")) and not _confined(get(statement, "Condition")):
            yield f"statement '{sid}' allows anyone: no condition pins it to a fixed account, ARN, VPC or source"


def _public_grantee(uri: str) -> bool:
    return any(uri.endswith(f"/global/{group}") for group in _PUBLIC_GROUPS)


def _acl_private(args, _cfg):
    acl = text(get(args.props, "acl"))
    if acl in _PUBLIC_ACLS:
        yield f"canned ACL '{acl}' grants public access"
    for grant in items(get(args.props, "accessControlPolicy", "grants")):
        uri = text(get(grant, "grantee", "uri"))
        if _public_grantee(uri):
            yield f"a grant gives {text(get(grant, 'permission'))} to {uri.rsplit('/', 1)[-1]}"
    # aws.s3.Bucket's inline `grants`: {type, uri, permissions}.
    for grant in items(get(args.props, "grants")) if args.resource_type in t.BUCKET else []:
        uri = text(get(grant, "uri"))
        if _public_grantee(uri):
            yield f"a grant gives {', '.join(strings(get(grant, 'permissions')))} to {uri.rsplit('/', 1)[-1]}"


_GLOBS = {"type": "array", "items": {"type": "string"}}

POLICIES = [
    stack_policy(
        "s3-bucket-public-access-block-present",
        description="Every bucket has an S3 public access block.",
        severity=CRITICAL,
        checklist=("DB-9", "DB-4"),
        remediation="Add aws.s3.BucketPublicAccessBlock(bucket=bucket.id, block_public_acls=True, "
        "block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True).",
        check=_public_access_block_present,
    ),
    resource_policy(
        "s3-bucketpublicaccessblock-all-enabled",
        types=t.BUCKET_PUBLIC_ACCESS_BLOCK,
        description="Public access blocks turn on all four protections.",
        severity=CRITICAL,
        checklist=("DB-9", "DB-4"),
        remediation="Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets "
        "to True.",
        check=_public_access_block_flags,
    ),
    stack_policy(
        "s3-bucket-encryption-cmk",
        description="Buckets are encrypted with SSE-KMS under a customer-managed key (load-balancer log buckets "
        "use SSE-S3, the only encryption ELB log delivery supports).",
        severity=HIGH,
        checklist=("DB-9", "DB-2"),
        remediation="Add aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{"
        "'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms', 'kms_master_key_id': key.arn}, "
        "'bucket_key_enabled': True}]).",
        check=_encryption,
    ),
    stack_policy(
        "s3-bucket-versioning",
        description="Every bucket keeps object versions, so overwrites and deletes can be undone.",
        severity=HIGH,
        checklist=("DB-9",),
        remediation="Add aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={'status': 'Enabled'}).",
        check=_versioning,
    ),
    stack_policy(
        "s3-bucket-tls-only",
        description="Every bucket policy denies requests made without TLS, for every principal and every S3 action.",
        severity=HIGH,
        checklist=("DB-9", "NET-8"),
        remediation="Add a BucketPolicy statement {Effect: Deny, Principal: '*', Action: 's3:*', Resource: "
        "[arn, arn/*], Condition: {Bool: {'aws:SecureTransport': 'false'}}}.",
        check=_tls_only,
    ),
    stack_policy(
        "s3-bucket-access-logging",
        description="Buckets log requests to a log bucket (log buckets themselves are exempt).",
        severity=MEDIUM,
        checklist=("DB-9", "OBS-2"),
        remediation="Add aws.s3.BucketLogging(bucket=bucket.id, target_bucket=<log bucket>.id, target_prefix=...).",
        check=_access_logging,
        config={"exemptBuckets": {**_GLOBS, "default": []}},
    ),
    stack_policy(
        "s3-bucket-cross-region-replication",
        description="Buckets holding business documents replicate to a bucket in the second region.",
        severity=HIGH,
        checklist=("DB-9", "DB-6"),
        remediation="Add aws.s3.BucketReplicationConfig(bucket=bucket.id, role=..., rules=[{'status': 'Enabled', "
        "'destination': {'bucket': <DR-region bucket>.arn, ...}}]) (versioning must be on for both buckets).",
        check=_replication,
        config={"replicatedBuckets": {**_GLOBS, "default": ["*documents*"]}},
    ),
    resource_policy(
        "s3-bucketpolicy-no-public-principal",
        types=t.BUCKET_POLICY + t.BUCKET,
        description="Bucket policies (aws.s3.BucketPolicy or the bucket's inline policy) never allow everyone: no "
        "NotPrincipal, and a '*' principal only with a condition pinning a fixed account, ARN, VPC or source.",
        severity=CRITICAL,
        checklist=("DB-9", "DB-4"),
        remediation="Name the principal (e.g. {'Service': 'cloudfront.amazonaws.com'}) and add a condition such as "
        "{'StringEquals': {'AWS:SourceArn': distribution.arn}}; replace NotPrincipal with Principal.",
        check=_policy_public,
    ),
    resource_policy(
        "s3-bucketacl-not-public",
        types=t.BUCKET_ACL + t.BUCKET,
        description="Bucket ACLs (aws.s3.BucketAcl or the bucket's inline acl/grants) never grant access to all "
        "users or all authenticated AWS users.",
        severity=CRITICAL,
        checklist=("DB-9", "DB-4"),
        remediation="Use acl='private' (or 'log-delivery-write' for log buckets) and drop AllUsers / "
        "AuthenticatedUsers grants.",
        check=_acl_private,
    ),
]
