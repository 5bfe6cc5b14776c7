"""Notification topics (OBS-1): encrypted, publishable by the alerting services, subscribed from config."""

from __future__ import annotations

import json

import pytest

from tests.conftest import build
from tests.graph import region_of

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
PAGERDUTY = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue"
RELAY = "https://hooks.example.com/sns/warning"


@pytest.fixture(scope="module")
def subscribed():
    """Staging with e-mail subscribers, a secret critical webhook that confirms itself
    (PagerDuty) and a warning one that doesn't (a relay someone confirms by hand)."""
    alarms = {"email_subscribers": {"warning": ["ops@example.com"]}, "webhooks_auto_confirm": {"critical": True}}
    return build(
        "staging",
        extra_config={
            "platform:alarms": json.dumps(alarms),
            "platform:critical_webhook_url": PAGERDUTY,
            "platform:warning_webhook_url": RELAY,
        },
        extra_secret_keys={"platform:critical_webhook_url", "platform:warning_webhook_url"},
    )


def test_a_critical_and_a_warning_topic_encrypted_with_the_alerts_key(stack):
    topics = {t.name.rsplit("-", 1)[-1]: t for t in stack.of_type(TOPIC)}
    assert set(topics) == {"critical", "warning"}
    alerts_key = stack.named(f"{stack.stack}-keys-alerts").outputs["arn"]
    assert all(t.inputs["kmsMasterKeyId"] == alerts_key for t in topics.values())
    assert topics["critical"].inputs["name"] == f"platform-{stack.stack}-critical"


def publish_statements(policy: dict) -> dict[str, dict]:
    """Who may publish (or encrypt for publishing), by service principal, with its condition."""
    found = {}
    for statement in policy["Statement"]:
        services = statement["Principal"].get("Service", []) if isinstance(statement["Principal"], dict) else []
        for service in [services] if isinstance(services, str) else services:
            found[service] = statement.get("Condition")
    return found


@pytest.mark.parametrize("graph", ["staging", "prod", "eu_staging"])
def test_topics_and_their_key_admit_only_this_accounts_alarms_rules_and_backups(graph, request):
    graph = request.getfixturevalue(graph)
    account = {"staging": "111111111111", "prod": "222222222222"}[graph.stack]
    policies = graph.of_type("aws:sns/topicPolicy:TopicPolicy")
    assert len(policies) == len(graph.of_type(TOPIC))
    for policy in policies:
        region = region_of(graph, policy) or "us-east-1"
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        assert publish_statements(json.loads(policy.inputs["policy"])) == {
            "cloudwatch.amazonaws.com": {"StringEquals": {"aws:SourceAccount": account}},
            "backup.amazonaws.com": {"StringEquals": {"aws:SourceAccount": account}},
            # EventBridge names its rule (EventBridge guide, SNS permissions); a rule's targets
            # are in its own region.
            "events.amazonaws.com": {"ArnLike": {"aws:SourceArn": f"arn:aws:events:{region}:{account}:rule/*"}},
        }
        assert statements["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert statements["TlsOnly"]["Effect"] == "Deny"
    for key in [k for k in graph.of_type("aws:kms/key:Key") if k.name.endswith("alerts")]:
        # SNS's KMS calls for EventBridge carry no aws:SourceAccount: a condition on it would
        # drop every failed-backup event (OBS-4). The topic policy decides who publishes.
        assert publish_statements(json.loads(key.inputs["policy"])) == {
            "cloudwatch.amazonaws.com": {"StringEquals": {"aws:SourceAccount": account}},
            "backup.amazonaws.com": {"StringEquals": {"aws:SourceAccount": account}},
            "events.amazonaws.com": None,
        }


def test_no_subscriptions_without_config(staging):
    assert staging.of_type(SUBSCRIPTION) == []


def test_email_and_webhook_subscriptions_come_from_config(subscribed):
    subscriptions = {s.name: s.inputs for s in subscribed.of_type(SUBSCRIPTION)}
    warning = subscribed.named("staging-alerts-warning").outputs["arn"]
    critical = subscribed.named("staging-alerts-critical").outputs["arn"]
    assert subscriptions["staging-alerts-warning-email-0"] == {
        "topic": warning,
        "protocol": "email",
        "endpoint": "ops@example.com",
    }
    webhook = subscriptions["staging-alerts-critical-webhook"]
    assert (webhook["topic"], webhook["protocol"], webhook["endpoint"]) == (critical, "https", PAGERDUTY)
    # Only an endpoint configured as confirming itself is waited for (the create fails otherwise).
    assert webhook["endpointAutoConfirms"] is True
    assert subscriptions["staging-alerts-warning-webhook"]["endpointAutoConfirms"] is False


def test_webhook_url_stays_secret(subscribed):
    webhook = subscribed.named("staging-alerts-critical-webhook")
    assert "endpoint" in webhook.secret_inputs
    assert PAGERDUTY not in json.dumps(subscribed.outputs, default=str)
    assert RELAY not in json.dumps(subscribed.outputs, default=str)


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
