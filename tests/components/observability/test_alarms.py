"""Alarms (OBS-1): every alarm pages somewhere, explains itself and follows the stack's config."""

from __future__ import annotations

import json
import re

import pytest

from tests.components.variants import prod_tuned
from tests.conftest import REPO
from tests.graph import event_matches, region_of

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
MISSING_DATA = {"breaching", "notBreaching", "ignore", "missing"}


def runbook_anchors() -> set[str]:
    """GitHub's anchors for the headings of docs/runbooks.md."""
    headings = re.findall(r"^#+ (.+)$", (REPO / "docs" / "runbooks.md").read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def topics_by_arn(graph):
    return {t.outputs["arn"]: t for t in graph.of_type(TOPIC)}


def test_every_alarm_notifies_on_alarm_and_on_ok(stack):
    alarms = stack.of_type(ALARM)
    assert len(alarms) > 15
    topics = topics_by_arn(stack)
    for alarm in alarms:
        assert alarm.inputs.get("actionsEnabled", True) is not False
        assert alarm.inputs["alarmActions"] and alarm.inputs["alarmActions"] == alarm.inputs["okActions"], alarm.name
        assert all(arn in topics for arn in alarm.inputs["alarmActions"]), alarm.name


def test_alarms_notify_topics_in_their_own_region(eu_staging):
    topics = topics_by_arn(eu_staging)
    for alarm in eu_staging.of_type(ALARM):
        (topic,) = alarm.inputs["alarmActions"]
        assert region_of(eu_staging, topics[topic]) == region_of(eu_staging, alarm), alarm.name


def test_every_description_names_the_environment_and_an_existing_runbook_section(stack):
    anchors = runbook_anchors()
    for alarm in stack.of_type(ALARM):
        description = alarm.inputs["alarmDescription"]
        assert f"platform-{stack.stack}" in description and len(description) <= 1024
        link = re.search(r"Runbook: docs/runbooks\.md#([\w-]+)$", description)
        assert link and link.group(1) in anchors, (alarm.name, description)


def test_every_alarm_treats_missing_data_deliberately(stack):
    for alarm in stack.of_type(ALARM):
        assert alarm.inputs.get("treatMissingData") in MISSING_DATA, alarm.name


def test_alarm_names_say_where_and_what(stack):
    names = [a.inputs["name"] for a in stack.of_type(ALARM)]
    assert len(set(names)) == len(names)
    assert all(n.startswith(f"platform-{stack.stack}-") for n in names)


def test_staging_routes_critical_alarms_to_the_warning_topic_prod_pages(staging, prod):
    for graph, expected in ((staging, "warning"), (prod, "critical")):
        topics = {arn: t.name.rsplit("-", 1)[-1] for arn, t in topics_by_arn(graph).items()}
        critical = [a for a in graph.of_type(ALARM) if a.inputs["alarmDescription"].startswith("[CRITICAL]")]
        assert critical
        assert {topics[a.inputs["alarmActions"][0]] for a in critical} == {expected}
        warning = [a for a in graph.of_type(ALARM) if a.inputs["alarmDescription"].startswith("[WARNING]")]
        assert {topics[a.inputs["alarmActions"][0]] for a in warning} == {"warning"}


def test_failed_backup_jobs_page_the_critical_route(staging, prod):
    for graph, expected in ((staging, "warning"), (prod, "critical")):
        (rule,) = [
            r for r in graph.of_type("aws:cloudwatch/eventRule:EventRule") if "aws.backup" in r.inputs["eventPattern"]
        ]
        failed = {"source": "aws.backup", "detail-type": "Backup Job State Change", "detail": {"state": "FAILED"}}
        assert event_matches(json.loads(rule.inputs["eventPattern"]), failed)
        (target,) = [t for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget") if t.parent == rule.parent]
        assert target.inputs["arn"] == graph.named(f"{graph.stack}-alerts-{expected}").outputs["arn"]


@pytest.fixture(scope="module")
def tuned():
    """Prod with thresholds overridden in stack config (every one: test_alarm_semantics.py)."""
    return prod_tuned()


def test_thresholds_follow_stack_config(prod, tuned):
    def threshold(graph, key):
        return graph.named(f"prod-alarms-{key}").inputs["threshold"]

    assert threshold(prod, "postgres-connections-warning") == 40
    assert threshold(tuned, "postgres-connections-warning") == 60
    assert threshold(tuned, "docdb-connections-critical") == 150
    # DocumentDB reports lag in milliseconds, ElastiCache in seconds.
    assert threshold(tuned, "docdb-replica-lag") == 30_000
    assert threshold(tuned, "redis-replication-lag-1") == 30


def test_free_storage_threshold_is_a_share_of_the_allocated_storage(staging, prod):
    for graph, gib in ((staging, 20), (prod, 100)):
        assert graph.named(f"{graph.stack}-alarms-postgres-free-storage").inputs["threshold"] == gib * 1024**3 * 0.2


def test_storage_autoscaling_limits_page_through_rds_events(staging, prod):
    # The allocation grows under autoscaling (20→100 GiB staging, 100→1000 GiB prod), which no
    # FreeStorageSpace threshold follows: RDS's own events say when space really runs out.
    for graph, route in ((staging, "warning"), (prod, "critical")):
        rule = graph.named(f"{graph.stack}-alarms-postgres-storage-events")
        pattern = json.loads(rule.inputs["eventPattern"])
        db = graph.named(f"{graph.stack}-postgres-instance").outputs["identifier"]

        def event(event_id: str, source: str = db) -> dict:
            detail = {"SourceIdentifier": source, "EventID": event_id}
            return {"source": "aws.rds", "detail-type": "RDS DB Instance Event", "detail": detail}

        for event_id in ("RDS-EVENT-0224", "RDS-EVENT-0223", "RDS-EVENT-0007"):
            assert event_matches(pattern, event(event_id)), event_id
        assert not event_matches(pattern, event("RDS-EVENT-0217"))  # a normal autoscaling step
        assert not event_matches(pattern, event("RDS-EVENT-0224", source="another-db"))
        target = graph.named(f"{graph.stack}-alarms-postgres-storage-events-topic").inputs
        assert target["arn"] == graph.named(f"{graph.stack}-alerts-{route}").outputs["arn"]
        assert target["rule"] == rule.outputs["name"]


def test_one_set_of_cache_alarms_per_node(staging, prod):
    for graph, nodes in ((staging, ["001"]), (prod, ["001", "002"])):
        watched = {a.inputs["dimensions"]["CacheClusterId"] for a in graph.of_type(ALARM) if "redis-memory" in a.name}
        assert watched == {f"platform-{graph.stack}-cache-{n}" for n in nodes}
