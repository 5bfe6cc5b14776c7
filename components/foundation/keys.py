"""Customer-managed KMS keys shared by every component that stores data (DB-2, SEC-1)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..config import Settings
from .protection import Protection
from .providers import GLOBAL_REGION

KMS_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


# Role names are at most 64 characters; Auto Scaling's prefix takes 29 of them.
SLR_SUFFIX_MAX = 64 - len("AWSServiceRoleForAutoScaling_")


def _key_policy(
    settings: Settings, region: str, purpose: str, autoscaling_role_arn: pulumi.Input[str] | None = None
) -> pulumi.Output[str]:
    """Root-account administration (IAM policies delegate use) plus the service principals that
    encrypt on their own behalf. No wildcard principals (SEC-1)."""
    account = settings.account_id
    statements = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if purpose == "logs":
        statements.append(
            {
                "Sid": "CloudWatchLogsEncrypts",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": KMS_USE,
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account}:*"}},
            }
        )
    if purpose == "alerts":
        # SNS topics encrypted with this key receive from CloudWatch alarms, EventBridge and Backup.
        publish = ["kms:Decrypt", "kms:GenerateDataKey*"]
        statements += [
            {
                "Sid": "AlarmsAndBackupEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudwatch.amazonaws.com", "backup.amazonaws.com"]},
                "Action": publish,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            },
            # EventBridge's calls to an encrypted topic's key carry no aws:SourceAccount (the SNS
            # guide's compatibility section gives this statement unconditioned), so a condition
            # on it would refuse every failed-backup event (OBS-4). Who may publish is decided
            # by the topic policy, which admits only this account's rules.
            {
                "Sid": "EventBridgeRulesEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": publish,
                "Resource": "*",
            },
        ]
    if purpose == "data":
        # CloudFront reads the KMS-encrypted static assets through Origin Access Control; the
        # assets bucket's policy names the one distribution allowed (NET-1, DB-2).
        statements.append(
            {
                "Sid": "CloudFrontDecryptsAssets",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudfront::{account}:distribution/*"}},
            }
        )
        # Auto Scaling launches instances with CMK-encrypted EBS volumes through its service-linked
        # role (HOST-3); without these grants the launches fail.
        asg_role = autoscaling_role_arn
        statements += [
            {
                "Sid": "AutoScalingUsesKey",
                "Effect": "Allow",
                "Principal": {"AWS": asg_role},
                "Action": KMS_USE,
                "Resource": "*",
            },
            {
                "Sid": "AutoScalingGrantsForVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": asg_role},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


class Keys(pulumi.ComponentResource):
    """One CMK per purpose: `data` (databases, cache, volumes, secrets, buckets), `logs`,
    `backup`, `alerts` (SNS) in the primary region, and `dr` in the DR region."""

    data: aws.kms.Key
    logs: aws.kms.Key
    backup: aws.kms.Key
    alerts: aws.kms.Key
    dr: aws.kms.Key
    global_logs: aws.kms.Key
    global_alerts: aws.kms.Key
    autoscaling_role: aws.iam.ServiceLinkedRole

    def __init__(
        self,
        name: str,
        settings: Settings,
        protection: Protection,
        dr_provider: aws.Provider,
        opts: pulumi.ResourceOptions | None = None,
        global_provider: aws.Provider | None = None,
    ):
        super().__init__("platform:security:Keys", name, None, opts)
        # The data key's policy names the Auto Scaling service-linked role, and KMS refuses a policy
        # naming a role that doesn't exist (MalformedPolicyDocument, "invalid principals"). The
        # account's default role exists only once some group was created, so the stack brings a
        # role of its own, with a custom suffix (AWS: EC2 Auto Scaling user guide, "Service-linked
        # roles"; the provider retries CreateKey while IAM propagates the new role).
        self.autoscaling_role = aws.iam.ServiceLinkedRole(
            f"{name}-autoscaling",
            aws_service_name="autoscaling.amazonaws.com",
            custom_suffix=settings.name_prefix[:SLR_SUFFIX_MAX],
            description=f"{settings.name_prefix}: Auto Scaling launches instances with the data key",
            opts=pulumi.ResourceOptions(parent=self),
        )

        def key(purpose: str, region: str, provider: aws.Provider | None = None, policy: str = "") -> aws.kms.Key:
            # Deleting a CMK makes everything encrypted with it unreadable: never by accident in prod.
            child = protection.options(self, provider=provider)
            cmk = aws.kms.Key(
                f"{name}-{purpose}",
                description=f"{settings.name_prefix} {purpose} encryption",
                enable_key_rotation=True,
                rotation_period_in_days=365,
                deletion_window_in_days=30,
                policy=_key_policy(settings, region, policy or purpose, self.autoscaling_role.arn),
                opts=child,
            )
            aws.kms.Alias(
                f"{name}-{purpose}-alias",
                name=f"alias/{settings.name_prefix}-{purpose}",
                target_key_id=cmk.key_id,
                opts=pulumi.ResourceOptions(parent=self, provider=provider),
            )
            return cmk

        for purpose in ("data", "logs", "backup", "alerts"):
            setattr(self, purpose, key(purpose, settings.region))
        self.dr = key("dr", settings.dr_region, dr_provider)
        # CloudFront's web ACL logs to a us-east-1 log group, whose key must live there too.
        self.global_logs = (
            self.logs
            if global_provider is None or settings.region == GLOBAL_REGION
            else key("global-logs", GLOBAL_REGION, global_provider, policy="logs")
        )
        # CloudFront's alarms live in us-east-1 and notify topics there, encrypted with a key there.
        self.global_alerts = (
            self.alerts
            if global_provider is None or settings.region == GLOBAL_REGION
            else key("global-alerts", GLOBAL_REGION, global_provider, policy="alerts")
        )
        self.register_outputs({p: getattr(self, p).arn for p in ("data", "logs", "backup", "alerts", "dr")})
