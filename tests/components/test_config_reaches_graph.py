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
    graph, compute = variants.prod_tuned(), variants.COMPUTE
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


def test_eks_keys_reach_the_graph():
    graph, compute = variants.prod_on_eks(), variants.EKS
    eks = compute["eks"]
    cluster = resource(graph, "aws:eks/cluster:Cluster", "prod-eks-cluster").inputs
    assert cluster["version"] == "1.32"
    assert cluster["vpcConfig"]["endpointPublicAccess"] is True
    assert cluster["vpcConfig"]["publicAccessCidrs"] == eks["public_access_cidrs"]
    nodes = resource(graph, "aws:eks/nodeGroup:NodeGroup", "prod-eks-nodes").inputs
    assert nodes["version"] == "1.32"  # the nodes follow the control plane
    assert nodes["instanceTypes"] == ["m6i.xlarge", "m7i.xlarge"]
    assert nodes["scalingConfig"] == {"minSize": 4, "desiredSize": 5, "maxSize": 12}
    (disk,) = resource(graph, TEMPLATE, "prod-eks-nodes").inputs["blockDeviceMappings"]
    assert disk["ebs"]["volumeSize"] == 80
    addons = {r.inputs["addonName"]: r.inputs["addonVersion"] for r in graph.of_type("aws:eks/addon:Addon")}
    assert addons == {
        "vpc-cni": "v1.20.0-eksbuild.1",
        "coredns": "v1.11.4-eksbuild.24",
        "kube-proxy": "v1.32.9-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
        "metrics-server": "v0.7.2-eksbuild.4",
        "aws-ebs-csi-driver": "v1.47.0-eksbuild.1",
        "amazon-cloudwatch-observability": "v4.0.1-eksbuild.1",
    }
    charts = {r.inputs["chart"]: r.inputs["version"] for r in graph.of_type("kubernetes:helm.sh/v3:Release")}
    assert charts == {"aws-load-balancer-controller": "3.4.0", "secrets-store-csi-driver-provider-aws": "3.0.0"}
    access = graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert {(a.inputs["principalArn"], a.inputs["policyArn"].rsplit("/", 1)[-1]) for a in access} == {
        (variants.OPERATOR_ROLE, "AmazonEKSClusterAdminPolicy"),
        (variants.AUDITOR_ROLE, "AmazonEKSViewPolicy"),
    }

    # The namespace: the app's objects, its Pod Identity association and its pods' alarms.
    (namespace,) = graph.of_type("kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == "erp"
    placed = {
        r.inputs["metadata"]["namespace"]
        for r in graph
        if r.type.startswith("kubernetes:") and r.type not in (namespace.type, "kubernetes:helm.sh/v3:Release")
    }
    assert placed == {"erp"}
    identities = graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert [r.inputs["namespace"] for r in identities if r.inputs["serviceAccount"] == "app"] == ["erp"]
    pods = [a.inputs["dimensions"] for a in graph.of_type(ALARM) if a.inputs.get("namespace") == "ContainerInsights"]
    assert pods and {d["Namespace"] for d in pods} == {"erp"}

    # Each colour: its pod counts, image and the app port, from the Deployment to the load balancer.
    for color in ("blue", "green"):
        fleet = compute[color]
        (deployment,) = [
            r for r in graph.of_type("kubernetes:apps/v1:Deployment") if r.inputs["metadata"]["name"] == f"app-{color}"
        ]
        spec = deployment.inputs["spec"]
        assert spec["replicas"] == fleet["replicas"], color
        (container,) = spec["template"]["spec"]["containers"]
        assert container["image"] == fleet["image"], color
        assert container["ports"] == [{"name": "http", "containerPort": 8080}], color
        hpa = resource(graph, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", f"prod-k8s-{color}").inputs
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
            fleet["min_replicas"],
            fleet["max_replicas"],
        ), color
        service = resource(graph, "kubernetes:core/v1:Service", f"prod-k8s-{color}").inputs["spec"]
        assert service["ports"][0]["targetPort"] == 8080, color
        group = resource(graph, "aws:lb/targetGroup:TargetGroup", f"prod-lb-{color}").inputs
        assert (group["port"], group["targetType"]) == (8080, "ip"), color
    (settings,) = graph.of_type("kubernetes:core/v1:ConfigMap")
    assert settings.inputs["data"]["PORT"] == "8080"
    from_alb = resource(graph, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-eks-nodes-from-alb")
    assert (from_alb.inputs["fromPort"], from_alb.inputs["toPort"]) == (8080, 8080)


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
    graph, alarms = variants.prod_tuned(), variants.ALARMS
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


# Keys no tuned run moves: who the stack is (its tier, account, domain and zone) and what Pulumi
# derives itself.
NOT_TUNED = {"project", "stack", "tier", "account_id", "domain", "hosted_zone_id"}


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
    leaves, moved = set(_leaf_paths(Settings)), set()
    for tier, (stack, extra) in variants.TUNED.items():
        default, tuned = _settings(stack, {}), _settings(stack, extra)
        here = {path for path in leaves if _value(default, path) != _value(tuned, path)}
        assert here, tier
        if tier in variants.PLATFORM_BASELINES:
            # A value equal to what the platform gives anyway (replicas 3 on eks) proves nothing either.
            platform_default = _settings(stack, variants.PLATFORM_BASELINES[tier])
            unmoved = {
                p for p in here if _value(tuned, p) is not None and _value(tuned, p) == _value(platform_default, p)
            }
            assert {p for p in unmoved if not p.endswith(".platform")} == set(), tier
        moved |= here
    assert leaves - NOT_TUNED - moved == set()
    assert moved & NOT_TUNED == set()
