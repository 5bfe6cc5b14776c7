"""Notification topics (OBS-1): encrypted, publishable by the alerting services, subscribed from config."""

from __future__ import annotations

import json

import pytest

from tests.components.variants import PAGERDUTY, alarms_tuned
from tests.graph import region_of

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


@pytest.fixture(scope="module")
def subscribed():
    """Prod with e-mail subscribers and a secret critical webhook (the observability tier's tuned run)."""
    return alarms_tuned()


def test_a_critical_and_a_warning_topic_encrypted_with_the_alerts_key(stack):
    topics = {t.name.rsplit("-", 1)[-1]: t for t in stack.of_type(TOPIC)}
    assert set(topics) == {"critical", "warning"}
    alerts_key = stack.named(f"{stack.stack}-keys-alerts").outputs["arn"]
    assert all(t.inputs["kmsMasterKeyId"] == alerts_key for t in topics.values())
    assert topics["critical"].inputs["name"] == f"platform-{stack.stack}-critical"


def test_topic_policies_admit_only_this_accounts_alarms_rules_and_backups(stack):
    account = {"staging": "111111111111", "prod": "222222222222"}[stack.stack]
    policies = stack.of_type("aws:sns/topicPolicy:TopicPolicy")
    assert len(policies) == 2
    for policy in policies:
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        publishers = statements["AlertPublishers"]
        assert set(publishers["Principal"]["Service"]) == {
            "cloudwatch.amazonaws.com",
            "events.amazonaws.com",
            "backup.amazonaws.com",
        }
        assert publishers["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
        assert statements["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert statements["TlsOnly"]["Effect"] == "Deny"


def test_no_subscriptions_without_config(staging):
    assert staging.of_type(SUBSCRIPTION) == []


def test_email_and_webhook_subscriptions_come_from_config(subscribed):
    subscriptions = {s.name: s.inputs for s in subscribed.of_type(SUBSCRIPTION)}
    warning = subscribed.named("prod-alerts-warning").outputs["arn"]
    critical = subscribed.named("prod-alerts-critical").outputs["arn"]
    assert subscriptions["prod-alerts-warning-email-0"] == {
        "topic": warning,
        "protocol": "email",
        "endpoint": "ops@example.com",
    }
    webhook = subscriptions["prod-alerts-critical-webhook"]
    assert (webhook["topic"], webhook["protocol"], webhook["endpoint"]) == (critical, "https", PAGERDUTY)


def test_webhook_url_stays_secret(subscribed):
    webhook = subscribed.named("prod-alerts-critical-webhook")
    assert "endpoint" in webhook.secret_inputs
    assert PAGERDUTY not in json.dumps(subscribed.outputs, default=str)


def test_outside_us_east_1_a_second_pair_of_topics_serves_cloudfront_alarms(eu_staging):
    regions = {t.name: region_of(eu_staging, t) for t in eu_staging.of_type(TOPIC)}
    assert regions == {
        "staging-alerts-critical": "eu-west-1",
        "staging-alerts-warning": "eu-west-1",
        "staging-alerts-global-critical": "us-east-1",
        "staging-alerts-global-warning": "us-east-1",
    }
    global_key = eu_staging.named("staging-keys-global-alerts")
    assert region_of(eu_staging, global_key) == "us-east-1"
    assert eu_staging.named("staging-alerts-global-critical").inputs["kmsMasterKeyId"] == global_key.outputs["arn"]
