"""Every config key reaches the graph: per tier, one run with each of the tier's keys set to a
value no default has (tests/components/variants.py), and each value found where AWS reads it.

A key the program validates but then ignores passes every test that only uses defaults; these
tests fail as soon as one value stops arriving."""

from __future__ import annotations

import base64
import json
import typing
from collections.abc import Iterator

from pydantic import BaseModel

from components.config import Settings, load_settings
from pulumi_offline.program import reveal
from pulumi_offline.stackconfig import load_stack_config
from tests.components import variants
from tests.conftest import REPO
from tests.graph import region_of, resource, subnets

DOCDB = "aws:docdb/clusterInstance:ClusterInstance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ASG = "aws:autoscaling/group:Group"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def only(graph, type_token: str):
    (match,) = graph.of_type(type_token)
    return match.inputs


def asg_tags(graph, color: str) -> dict[str, str]:
    return {t["key"]: t["value"] for t in resource(graph, ASG, f"{graph.stack}-app-{color}").inputs["tags"]}


def test_foundation_and_network_keys_reach_the_graph():
    graph, cfg = variants.foundation_tuned(), variants.FOUNDATION
    network = cfg["platform:network"]
    providers = {p.name: p.inputs for p in graph.of_type("pulumi:providers:aws")}
    assert providers["staging-aws"]["region"] == "eu-west-1"
    assert providers["staging-aws-dr"]["region"] == "eu-central-1"
    expected_tags = {"owner": "erp-team", "cost-centre": "CC-ERP-EU", "data-classification": "internal"}
    for provider in providers.values():
        assert json.loads(provider["defaultTags"])["tags"].items() >= expected_tags.items()
    # Provider default tags never reach Auto Scaling groups: theirs come from the program.
    assert asg_tags(graph, "blue").items() >= expected_tags.items()
    assert only(graph, "aws:ec2/vpc:Vpc")["cidrBlock"] == network["cidr"]
    for tier, cidrs in network["subnets"].items():
        placed = {s.inputs["availabilityZone"]: s.inputs["cidrBlock"] for s in subnets(graph, tier)}
        assert placed == dict(zip(network["availability_zones"], cidrs, strict=True)), tier
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == 3  # one_per_az, not staging's single
    critical = graph.named("staging-alerts-critical").outputs["arn"]
    paging = [a for a in graph.of_type(ALARM) if a.inputs["alarmDescription"].startswith("[CRITICAL]")]
    assert paging and all(a.inputs["alarmActions"] in ([critical], [global_critical(graph)]) for a in paging)
    flow_group = graph.named("staging-network-flow-logs")
    assert flow_group.inputs["retentionInDays"] == network["flow_log_retention_days"]
    assert region_of(graph, flow_group) == "eu-west-1"


def global_critical(graph) -> str:
    return graph.named(f"{graph.stack}-alerts-global-critical").outputs["arn"]


def test_edge_keys_reach_the_graph():
    graph, edge = variants.canary(), variants.EDGE
    (alb_ingress,) = [
        r.inputs
        for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if "prefixListId" in r.inputs
    ]
    assert alb_ingress["prefixListId"] == edge["cloudfront_prefix_list_id"]
    origin = "edge-origin.staging.example.com"
    assert graph.named("staging-lb-dns-a").inputs["name"] == origin
    assert graph.named("staging-alb-cert-cert").inputs["domainName"] == origin
    distribution = graph.named("staging-cdn-distribution").inputs
    (api,) = [o for o in distribution["origins"] if o["originId"] == "api"]
    assert api["domainName"] == origin
    assert distribution["priceClass"] == "PriceClass_200"
    cors = graph.named("staging-cdn-headers").inputs["corsConfig"]["accessControlAllowOrigins"]["items"]
    assert cors == ["https://staging.example.com", "https://partner.example.org"]
    assert graph.named("staging-cdn-static").inputs["defaultTtl"] == 3600
    for where in ("alb", "cdn"):
        (rate,) = [
            r for r in graph.named(f"staging-waf-{where}-acl").inputs["rules"] if "rateBasedStatement" in r["statement"]
        ]
        statement = rate["statement"]["rateBasedStatement"]
        # 50 requests a second over a 300-second window.
        assert (statement["limit"], statement["evaluationWindowSec"]) == (15000, 300), where
        assert graph.named(f"staging-waf-{where}-logs").inputs["retentionInDays"] == 90
    assert graph.named("staging-app-logs").inputs["retentionInDays"] == 90
    # CloudFront sends slot b's value; slot a was regenerated on its rotation date.
    slots = {
        s: reveal(graph.named(f"staging-origin-secret-value{'-b' if s == 'b' else ''}").outputs["result"]) for s in "ab"
    }
    headers = [h["value"] for h in api["customHeaders"]]
    assert headers == [slots["b"]] and slots["a"] != slots["b"]
    assert graph.named("staging-origin-secret-value").inputs["keepers"] == {"rotated_on": "2026-10-01"}


def test_compute_keys_reach_the_graph():
    graph, compute = variants.pinned_prod(), variants.COMPUTE
    for color in ("blue", "green"):
        fleet = compute[color]
        group = resource(graph, ASG, f"prod-app-{color}").inputs
        assert (group["minSize"], group["maxSize"], group["desiredCapacity"]) == (
            fleet["min_size"],
            fleet["max_size"],
            fleet["desired_capacity"],
        ), color
        template = resource(graph, TEMPLATE, f"prod-app-{color}").inputs
        assert template["instanceType"] == "t3.large"
        script = base64.b64decode(template["userData"]).decode()
        assert f"\nimage={fleet['image']}\n" in script
        assert "--env PORT=8080 --publish 8080:8080" in script
        assert graph.named(f"prod-lb-{color}").inputs["port"] == 8080
    rules = {
        r.name: r.inputs
        for r in graph.of_type(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        )
    }
    for label in ("prod-sg-alb-to-app", "prod-sg-app-from-alb"):
        assert (rules[label]["fromPort"], rules[label]["toPort"]) == (8080, 8080), label


def test_data_tier_keys_reach_the_graph():
    graph, data = variants.data_tuned(), variants.DATA
    postgres = graph.named("staging-postgres-instance").inputs
    pg = data["platform:postgres"]
    assert (postgres["engineVersion"], postgres["instanceClass"]) == (pg["engine_version"], pg["instance_class"])
    assert (postgres["allocatedStorage"], postgres["maxAllocatedStorage"]) == (50, 200)
    assert postgres["multiAz"] is True and postgres["backupRetentionPeriod"] == 14
    assert (postgres["performanceInsightsRetentionPeriod"], postgres["monitoringInterval"]) == (62, 30)
    assert (postgres["maintenanceWindow"], postgres["backupWindow"]) == (
        variants.OTHER_MAINTENANCE,
        variants.OTHER_BACKUP,
    )
    parameters = {p["name"]: p["value"] for p in graph.named("staging-postgres-params").inputs["parameters"]}
    assert parameters["log_min_duration_statement"] == "250"
    assert graph.named("staging-postgres-params").inputs["family"] == "postgres16"

    cluster = graph.named("staging-docdb-cluster").inputs
    assert (cluster["engineVersion"], cluster["backupRetentionPeriod"]) == ("4.0.0", 10)
    assert (cluster["preferredMaintenanceWindow"], cluster["preferredBackupWindow"]) == (
        variants.OTHER_MAINTENANCE,
        variants.OTHER_BACKUP,
    )
    instances = graph.of_type(DOCDB)
    assert len(instances) == 2 and {i.inputs["instanceClass"] for i in instances} == {"db.r6g.large"}
    docdb_params = graph.named("staging-docdb-params").inputs
    assert docdb_params["family"] == "docdb4.0"
    assert {p["name"]: p["value"] for p in docdb_params["parameters"]}["profiler_threshold_ms"] == "250"

    cache = graph.named("staging-cache-group").inputs
    assert (cache["engine"], cache["engineVersion"], cache["nodeType"]) == ("redis", "7.1", "cache.m7g.large")
    assert cache["numCacheClusters"] == 2 and cache["snapshotRetentionLimit"] == 3
    assert (cache["maintenanceWindow"], cache["snapshotWindow"]) == (variants.OTHER_MAINTENANCE, variants.OTHER_BACKUP)
    assert graph.named("staging-cache-params").inputs["family"] == "redis7"

    for bucket in ("primary", "replica"):
        (rule, _markers) = graph.named(f"staging-documents-{bucket}-lifecycle").inputs["rules"]
        assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 90, bucket
    (replication,) = graph.named("staging-documents-replication-config").inputs["rules"]
    assert replication["destination"]["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}

    plan = {r["ruleName"]: r for r in graph.named("staging-backups-plan").inputs["rules"]}
    monthly = plan["monthly"]
    assert (monthly["schedule"], monthly["lifecycle"]["deleteAfter"]) == ("cron(0 7 1 * ? *)", 200)
    assert monthly["lifecycle"]["coldStorageAfter"] == 30
    assert plan["continuous"]["enableContinuousBackup"] is True and plan["continuous"]["lifecycle"]["deleteAfter"] == 14
    assert all(rule.get("copyActions") for name, rule in plan.items() if name != "continuous")
    for lock in ("staging-backups-lock", "staging-backups-dr-lock"):
        assert graph.named(lock).inputs["changeableForDays"] == 5, lock

    rotations = graph.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert len(rotations) == 7  # RDS's own secret and the six the rotation function owns
    assert {r.inputs["rotationRules"]["automaticallyAfterDays"] for r in rotations} == {30}


def test_data_run_carves_subnets_with_the_configured_prefixes():
    graph = variants.data_tuned()
    prefixes = variants.DATA["platform:network"]["subnet_prefixes"]
    for tier, length in prefixes.items():
        assert {s.inputs["cidrBlock"].split("/")[1] for s in subnets(graph, tier)} == {str(length)}, tier


def test_alarm_keys_reach_the_graph():
    graph, alarms = variants.alarms_tuned(), variants.ALARMS
    for alarm in graph.of_type(ALARM):
        assert f"Runbook: {alarms['runbook_url']}#" in alarm.inputs["alarmDescription"], alarm.name
    subscriptions = {
        (s.inputs["topic"].rsplit("-", 1)[-1], s.inputs["endpoint"])
        for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription")
        if s.inputs["protocol"] == "email"
    }
    assert subscriptions == {("critical", "oncall@example.com"), ("warning", "ops@example.com")}
    webhooks = {s.name: s for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription") if "webhook" in s.name}
    assert {name: s.inputs["endpoint"] for name, s in webhooks.items()} == {
        "prod-alerts-critical-webhook": variants.PAGERDUTY,
        "prod-alerts-warning-webhook": variants.SLACK_RELAY,
    }
    assert all("endpoint" in s.secret_inputs for s in webhooks.values())


# Keys no tuned run moves: who the stack is (its tier, account, domain and zone), what Pulumi
# derives itself, and a choice with a single value today.
NOT_TUNED = {"project", "stack", "tier", "account_id", "domain", "hosted_zone_id", "compute.platform"}
# The EKS platform (compute.eks.*, and a colour's platform and pod counts) has no tuned run yet:
# its graph differs wholesale from the EC2 one, so it needs its own (see docs/testing.md).
EKS_COLOR_KEYS = ("platform", "replicas", "min_replicas", "max_replicas")


def _not_tuned_yet(path: str) -> bool:
    return path.startswith("compute.eks.") or path in {
        f"compute.{c}.{k}" for c in ("blue", "green") for k in EKS_COLOR_KEYS
    }


def _leaf_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every leaf config key of `model`; `*` stands for the entries of a dict of sections."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = [arg for arg in (field.annotation, *typing.get_args(field.annotation)) if _is_section(arg)]
        if not nested:
            yield path
        star = typing.get_origin(field.annotation) is dict
        # Every model of a union (a colour is EC2 or EKS), each key once.
        yield from dict.fromkeys(
            p for model in nested for p in _leaf_paths(model, f"{path}.*." if star else f"{path}.")
        )


def _is_section(annotation: object) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _value(settings: BaseModel, path: str) -> object:
    node: object = settings
    parts = path.split(".")
    for index, part in enumerate(parts):
        if part == "*":
            assert isinstance(node, dict)
            rest = ".".join(parts[index + 1 :])
            return tuple((key, _value(entry, rest)) for key, entry in sorted(node.items()))
        node = getattr(node, part, None)  # an optional section not set: None all the way down
    return node


def _settings(stack: str, extra: dict) -> Settings:
    """The Settings a run of `stack` with `extra` config validates (no program run)."""
    values = {**load_stack_config(REPO, stack).values, **extra}
    raw = {}
    for key, value in values.items():
        namespace, _, name = key.partition(":")
        if isinstance(value, str) and value[:1] in "{[":
            value = json.loads(value)
        if namespace == "platform":
            raw[name] = value
        elif key == "aws:region":
            raw["region"] = value
    secret = {key.partition(":")[2] for key in variants.WEBHOOKS}
    return load_settings(raw, project="platform", stack=stack, secret_keys=secret)


def test_the_tuned_runs_move_every_config_key_off_its_default():
    """A new config key must join a tier's tuned run (tests/components/variants.py), and a
    tuned value equal to the default proves nothing."""
    moved = set()
    for tier, (stack, extra) in variants.TUNED.items():
        default, tuned = _settings(stack, {}), _settings(stack, extra)
        moved |= {path for path in _leaf_paths(Settings) if _value(default, path) != _value(tuned, path)}
        assert moved, tier
    leaves = {path for path in _leaf_paths(Settings) if not _not_tuned_yet(path)}
    assert leaves - NOT_TUNED - moved == set()
    assert moved & NOT_TUNED == set()
