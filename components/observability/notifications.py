"""Notifications: the critical and warning SNS topics every alarm and alert publishes to (OBS-1, OBS-4)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import SecretStr

from ..config import SEVERITIES, AlarmSettings, Severity

# The services that publish to the topics: CloudWatch alarms, AWS Backup vault notifications and
# EventBridge rules (failed backup jobs).
ACCOUNT_PUBLISHERS = ("cloudwatch.amazonaws.com", "backup.amazonaws.com")
EVENTS = "events.amazonaws.com"
# What the account itself may do on its topics (the default SNS policy, which a custom policy replaces).
OWNER_ACTIONS = [
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
]


def topic_policy(topic_arn: pulumi.Input[str], account_id: str) -> pulumi.Output[str]:
    """The account administers the topic; the publishing services may publish on behalf of this
    account only: CloudWatch and Backup name their account (aws:SourceAccount), EventBridge its
    rule (aws:SourceArn, the condition EventBridge's guide gives for SNS targets; a rule's
    targets are in its own region, the topic's)."""
    rules = pulumi.Output.from_input(topic_arn).apply(
        lambda arn: f"arn:aws:events:{arn.split(':')[3]}:{account_id}:rule/*"
    )
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": OWNER_ACTIONS,
                    "Resource": topic_arn,
                },
                {
                    "Sid": "AlertPublishers",
                    "Effect": "Allow",
                    "Principal": {"Service": list(ACCOUNT_PUBLISHERS)},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
                {
                    "Sid": "EventBridgeRulesPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": EVENTS},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"ArnLike": {"aws:SourceArn": rules}},
                },
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


class Notifications(pulumi.ComponentResource):
    """A `critical` and a `warning` topic in one region, KMS-encrypted, with the subscribers from
    config: e-mail addresses, and the secret HTTPS webhooks (PagerDuty, a Slack relay).

    Alarms notify topics in their own region only, so the environment makes one set in the
    primary region and, when that isn't us-east-1, a second set there for CloudFront's alarms."""

    topics: dict[Severity, aws.sns.Topic]
    arns: dict[Severity, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: AlarmSettings,
        key: aws.kms.Key,
        *,
        account_id: str,
        label: str,
        webhooks: dict[Severity, SecretStr | None],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:notifications:Notifications", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.settings = settings
        self.topics = {}
        for severity in SEVERITIES:
            topic = aws.sns.Topic(
                f"{name}-{severity}",
                # Readable in the e-mail subject and the console: `platform-prod-critical`.
                name=f"{label}-{severity}",
                display_name=f"{label} {severity}",
                kms_master_key_id=key.arn,
                opts=child,
            )
            aws.sns.TopicPolicy(
                f"{name}-{severity}-policy", arn=topic.arn, policy=topic_policy(topic.arn, account_id), opts=child
            )
            for index, address in enumerate(settings.email_subscribers.get(severity, [])):
                # E-mail subscriptions stay "pending confirmation" until the recipient clicks the link.
                aws.sns.TopicSubscription(
                    f"{name}-{severity}-email-{index}", topic=topic.arn, protocol="email", endpoint=address, opts=child
                )
            webhook = webhooks.get(severity)
            if webhook is not None:
                aws.sns.TopicSubscription(
                    f"{name}-{severity}-webhook",
                    topic=topic.arn,
                    protocol="https",
                    endpoint=pulumi.Output.secret(webhook.get_secret_value()),
                    # Only an endpoint that confirms by itself (PagerDuty) may be waited for:
                    # the provider fails the create when no confirmation arrives in time.
                    endpoint_auto_confirms=settings.webhooks_auto_confirm.get(severity, False),
                    opts=child,
                )
            self.topics[severity] = topic
        self.arns = {severity: topic.arn for severity, topic in self.topics.items()}
        self.register_outputs({"arns": self.arns})

    def arn_for(self, severity: Severity) -> pulumi.Output[str]:
        """The topic an alarm of `severity` notifies (staging routes critical to warning)."""
        return self.arns[self.settings.topic_for(severity)]
