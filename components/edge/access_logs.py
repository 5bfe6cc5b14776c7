"""The bucket the edge delivers its access logs to: ALB, CloudFront and S3 server logs (OBS-2).

AWS constraints shape it: ALB access logs and S3 server access logs can only be written to a
bucket encrypted with SSE-S3 (not SSE-KMS), and CloudFront standard logging writes through
bucket ACLs (object ownership `BucketOwnerPreferred`). Everything else is as hardened as any
bucket: no public access, versioned, TLS only, expiring after the edge log retention.
"""

from __future__ import annotations

import pulumi

from ..foundation.protection import Protection
from ..foundation.secure_bucket import SecureBucket, server_access_logs_statement
from .load_balancer import ACCESS_LOG_PREFIX

# The Elastic Load Balancing account that writes access logs, for regions opened before
# August 2022; newer regions grant the log-delivery service principal instead.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-south-1": "635631232127",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
ELB_LOG_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def elb_log_principal(region: str) -> dict[str, str]:
    if region in ELB_LOG_ACCOUNTS:
        return {"AWS": f"arn:aws:iam::{ELB_LOG_ACCOUNTS[region]}:root"}
    return {"Service": ELB_LOG_SERVICE}


def edge_log_bucket(
    name: str, region: str, account_id: str, retention_days: int, protection: Protection, opts: pulumi.ResourceOptions
) -> SecureBucket:
    logs = SecureBucket(
        name,
        None,
        object_ownership="BucketOwnerPreferred",
        expire_after_days=retention_days,
        defer_policy=True,
        protection=protection,
        opts=opts,
    )
    logs.attach_policy(
        [
            {
                "Sid": "LoadBalancerWritesAccessLogs",
                "Effect": "Allow",
                "Principal": elb_log_principal(region),
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(logs.arn, f"/{ACCESS_LOG_PREFIX}/AWSLogs/{account_id}/*"),
            },
            server_access_logs_statement(logs, account_id),
        ]
    )
    return logs
