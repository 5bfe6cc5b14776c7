"""Notification topics (OBS-1): encrypted, publishable by the alerting services, subscribed from config."""

from __future__ import annotations

import json

import pytest

from tests.components.variants import PAGERDUTY, SLACK_RELAY, prod_tuned
from tests.graph import region_of

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


@pytest.fixture(scope="module")
def subscribed():
    """Prod with e-mail subscribers, a secret critical webhook that confirms itself (PagerDuty)
    and a warning one that doesn't (a relay someone confirms by hand): the observability tier's
    tuned run (tests/components/variants.py)."""
    return prod_tuned()


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
    warning = subscribed.named("prod-alerts-warning").outputs["arn"]
    critical = subscribed.named("prod-alerts-critical").outputs["arn"]
    assert subscriptions["prod-alerts-warning-email-0"] == {
        "topic": warning,
        "protocol": "email",
        "endpoint": "ops@example.com",
    }
    webhook = subscriptions["prod-alerts-critical-webhook"]
    assert (webhook["topic"], webhook["protocol"], webhook["endpoint"]) == (critical, "https", PAGERDUTY)
    # Only an endpoint configured as confirming itself is waited for (the create fails otherwise).
    assert webhook["endpointAutoConfirms"] is True
    relay = subscriptions["prod-alerts-warning-webhook"]
    assert (relay["topic"], relay["endpoint"], relay["endpointAutoConfirms"]) == (warning, SLACK_RELAY, False)


def test_webhook_url_stays_secret(subscribed):
    for severity in ("critical", "warning"):
        assert "endpoint" in subscribed.named(f"prod-alerts-{severity}-webhook").secret_inputs, severity
    assert PAGERDUTY not in json.dumps(subscribed.outputs, default=str)
    assert SLACK_RELAY not in json.dumps(subscribed.outputs, default=str)


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
