"""The application on EKS through pulumi-kubernetes, on the graph: provider, namespace, secrets
delivery, the runbook's Deployment per eks colour, PDB, HPA, Service, NetworkPolicies, the ALB
path through the Load Balancer Controller, Container Insights alarms, and the pack."""

from __future__ import annotations

import json

import pytest

from components.compute.kubernetes.workload import kubeconfig_document
from components.config import ConfigError, load_settings
from components.config.compute import EksColorSettings
from pulumi_offline.stackconfig import load_stack_config
from tests.components import variants
from tests.components.compute.eks_variants import staging_canary
from tests.components.test_config import PROD
from tests.conftest import REPO
from tests.graph import resource, subnets

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
RELEASE = "kubernetes:helm.sh/v3:Release"
TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _kubernetes(graph):
    return [r for r in graph if r.type.startswith("kubernetes:")]


def _deployment(graph, color):
    (found,) = [r for r in graph.of_type(DEPLOYMENT) if r.inputs["metadata"]["name"] == f"app-{color}"]
    return found


# ---- config ------------------------------------------------------------------------------------


def _problems(compute: dict) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings({**PROD, "compute": compute}, project="platform", stack="prod")
    return info.value.problems


def test_wrong_platform_keys_are_all_reported_by_key_path():
    assert _problems(
        {
            "platform": "eks",
            "instance_type": "t3.small",
            "blue": {"desired_capacity": 2, "replicas": 40},
            "green": {"platform": "ec2", "replicas": 3, "min_size": 0, "max_size": 3, "desired_capacity": 0},
        }
    ) == [
        "compute.blue.desired_capacity: applies to platform 'ec2', but compute.blue runs on 'eks'",
        "compute.green.replicas: applies to platform 'eks', but compute.green runs on 'ec2'",
        # The rest of the section is still checked in the same run.
        "compute.blue: replicas 40 is outside min_replicas..max_replicas (2..10)",
    ]
    assert _problems({"eks": {"node_instance_types": ["m6i.large"]}}) == [
        "compute.eks: applies to platform 'eks', which no colour runs on"
    ]


def test_the_public_endpoint_needs_listed_networks_and_never_the_internet():
    assert _problems({"platform": "eks", "eks": {"endpoint_public_access": True}}) == [
        "compute.eks: endpoint_public_access needs public_access_cidrs (EKS would open it to 0.0.0.0/0)"
    ]
    assert _problems(
        {"platform": "eks", "eks": {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]}}
    ) == ["compute.eks.public_access_cidrs: 0.0.0.0/0 opens the API endpoint to the whole internet (K8S-6)"]


def test_either_platform_loads_on_either_colour_with_its_tier_defaults():
    for blue, green in (("ec2", "eks"), ("eks", "ec2"), ("eks", "eks")):
        compute = {"blue": {"platform": blue}, "green": {"platform": green}}
        settings = load_settings({**PROD, "compute": compute}, project="platform", stack="prod").compute
        assert (settings.platform_of("blue"), settings.platform_of("green")) == (blue, green)
        assert (settings.instance_type is None) == ("ec2" not in (blue, green))
        assert (settings.eks is None) == ("eks" not in (blue, green))


# ---- provider, namespace, secrets --------------------------------------------------------------


def test_kubeconfig_authenticates_with_aws_eks_get_token():
    document = kubeconfig_document("platform-prod", "https://abc.eks.amazonaws.com", "Q0E=", "us-east-1")
    (user,) = document["users"]
    assert user["user"]["exec"]["command"] == "aws"
    assert user["user"]["exec"]["args"][:4] == ["eks", "get-token", "--cluster-name", "platform-prod"]
    assert "token" not in json.dumps(user["user"]).replace("get-token", "")


def test_the_provider_is_built_from_the_cluster_outputs(canary):
    (provider,) = canary.of_type("pulumi:providers:kubernetes")
    cluster = resource(canary, "aws:eks/cluster:Cluster", "staging-eks-cluster")
    config = json.loads(provider.inputs["kubeconfig"])
    (entry,) = config["clusters"]
    assert entry["cluster"]["server"] == cluster.outputs["endpoint"]
    assert entry["cluster"]["certificate-authority-data"] == cluster.outputs["certificateAuthority"]["data"]
    assert config["users"][0]["user"]["exec"]["args"][:4] == ["eks", "get-token", "--cluster-name", "platform-staging"]


def test_every_kubernetes_object_goes_through_the_explicit_provider_into_the_app_namespace(canary):
    (provider,) = canary.of_type("pulumi:providers:kubernetes")
    cluster = resource(canary, "aws:eks/cluster:Cluster", "staging-eks-cluster")
    assert cluster.urn in provider.dependencies
    objects = _kubernetes(canary)
    assert objects and all(r.provider_urn == provider.urn for r in objects)
    namespaced = [r for r in objects if r.type not in (RELEASE, "kubernetes:core/v1:Namespace")]
    assert {r.inputs["metadata"]["namespace"] for r in namespaced} == {"app"}
    assert {r.inputs["namespace"] for r in canary.of_type(RELEASE)} == {"kube-system"}


def test_no_secret_value_reaches_a_manifest(canary):
    assert canary.of_type("kubernetes:core/v1:Secret") == []
    (provider_class,) = canary.of_type("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass")
    objects = json.loads(provider_class.inputs["spec"]["parameters"]["objects"])
    arns = {r.outputs["arn"] for r in canary.of_type("aws:secretsmanager/secret:Secret")}
    rds = {s["secretArn"] for r in canary.of_type("aws:rds/instance:Instance") for s in r.outputs["masterUserSecrets"]}
    assert objects and {o["objectName"] for o in objects} <= arns | rds
    assert {o["objectType"] for o in objects} == {"secretsmanager"}
    assert not any(r.secret_inputs for r in _kubernetes(canary))


def test_the_service_account_role_reads_only_the_application_secrets(canary):
    (association,) = [
        r
        for r in canary.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if r.inputs["serviceAccount"] == "app"
    ]
    (policy,) = [
        r
        for r in canary.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.inputs["role"] == association.inputs["roleArn"].rsplit("/", 1)[-1]
    ]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    (provider_class,) = canary.of_type("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass")
    mounted = {o["objectName"] for o in json.loads(provider_class.inputs["spec"]["parameters"]["objects"])}
    assert set(statements["ReadAppSecrets"]["Resource"]) == mounted
    assert set(statements) == {"ReadAppSecrets", "DecryptAppSecrets"}


# ---- the runbook's Deployment ----------------------------------------------------------------


def test_prod_pod_counts_default_to_the_runbook():
    settings = load_settings({**PROD, "compute": {"platform": "eks"}}, project="platform", stack="prod").compute
    for color in ("blue", "green"):
        fleet = settings.color(color)
        assert isinstance(fleet, EksColorSettings)
        # Runbook: 3 replicas, HPA 2-10 per colour.
        assert (fleet.replicas, fleet.min_replicas, fleet.max_replicas) == (3, 2, 10)


def test_deployment_follows_the_runbook(eks_prod):
    spec = _deployment(eks_prod, "green").inputs["spec"]
    assert spec["replicas"] == variants.EKS["green"]["replicas"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    (container,) = spec["template"]["spec"]["containers"]
    assert container["ports"] == [{"name": "http", "containerPort": variants.EKS["app_port"]}]
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    live, ready = container["livenessProbe"], container["readinessProbe"]
    assert (live["httpGet"]["path"], live["initialDelaySeconds"], live["periodSeconds"]) == ("/health", 30, 10)
    assert (ready["httpGet"]["path"], ready["initialDelaySeconds"], ready["periodSeconds"]) == ("/ready", 10, 5)
    assert container["envFrom"] == [{"configMapRef": {"name": "app-settings"}}]


def test_pods_are_hardened_and_run_the_digest_pinned_image(eks_prod):
    template = _deployment(eks_prod, "blue").inputs["spec"]["template"]["spec"]
    (container,) = template["containers"]
    assert template["securityContext"]["runAsNonRoot"] is True
    assert template["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert template["automountServiceAccountToken"] is False
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    refs = eks_prod.outputs["image_refs"]
    assert container["image"] == refs["blue"] and "@sha256:" in container["image"]


def test_pods_spread_over_the_zones(eks_prod):
    spread = _deployment(eks_prod, "blue").inputs["spec"]["template"]["spec"]["topologySpreadConstraints"]
    zone = next(c for c in spread if c["topologyKey"] == "topology.kubernetes.io/zone")
    assert (zone["maxSkew"], zone["whenUnsatisfiable"]) == (1, "DoNotSchedule")
    assert zone["labelSelector"] == {"matchLabels": {"app": "app", "color": "blue"}}


def test_each_colour_has_its_budget_autoscaler_and_service(eks_prod):
    for color in ("blue", "green"):
        labels = {"app": "app", "color": color}
        pdb = resource(eks_prod, "kubernetes:policy/v1:PodDisruptionBudget", f"prod-k8s-{color}").inputs["spec"]
        assert pdb == {"maxUnavailable": 1, "selector": {"matchLabels": labels}}
        hpa = resource(eks_prod, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", f"prod-k8s-{color}").inputs
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"app-{color}"}
        fleet = variants.EKS[color]
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
            fleet["min_replicas"],
            fleet["max_replicas"],
        )
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"] == {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}
        service = resource(eks_prod, "kubernetes:core/v1:Service", f"prod-k8s-{color}").inputs["spec"]
        assert service["selector"] == labels and service["ports"][0]["targetPort"] == variants.EKS["app_port"]


def test_network_policies_deny_by_default_and_open_only_the_documented_paths(canary):
    policies = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in canary.of_type(NETWORK_POLICY)}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    public = {r.inputs["cidrBlock"] for r in subnets(canary, "public")}
    data = {r.inputs["cidrBlock"] for r in subnets(canary, "data")}
    (ingress,) = policies["load-balancer-to-app"]["ingress"]
    assert {p["ipBlock"]["cidr"] for p in ingress["from"]} == public
    assert ingress["ports"] == [{"protocol": "TCP", "port": 3000}]
    (egress,) = policies["app-to-data-stores"]["egress"]
    assert {p["ipBlock"]["cidr"] for p in egress["to"]} == data
    assert sorted(p["port"] for p in egress["ports"]) == [5432, 6379, 27017]
    (dns,) = policies["dns"]["egress"]
    assert {(p["protocol"], p["port"]) for p in dns["ports"]} == {("UDP", 53), ("TCP", 53)}


# ---- traffic -----------------------------------------------------------------------------------


def test_pods_register_into_their_colour_target_group_through_the_controller(canary):
    (controller,) = [r for r in canary.of_type(RELEASE) if r.inputs["chart"] == "aws-load-balancer-controller"]
    assert controller.inputs["version"] == "3.5.0"
    assert controller.inputs["repositoryOpts"]["repo"] == "https://aws.github.io/eks-charts"
    assert controller.inputs["values"]["region"] == "us-east-1" and controller.inputs["values"]["vpcId"]
    (binding,) = canary.of_type(TGB)
    green = resource(canary, "aws:lb/targetGroup:TargetGroup", "staging-lb-green")
    spec = binding.inputs["spec"]
    assert (spec["targetGroupARN"], spec["targetType"]) == (green.outputs["arn"], "ip")
    assert spec["serviceRef"] == {"name": "app-green", "port": 3000}
    assert controller.urn in binding.dependencies


def test_the_controller_may_register_targets_in_these_target_groups_only(eks_prod):
    (policy,) = [r for r in eks_prod.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == "prod-lbc-role-access"]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    groups = {r.outputs["arn"] for r in eks_prod.of_type("aws:lb/targetGroup:TargetGroup")}
    assert set(statements["RegisterPods"]["Resource"]) == groups
    assert all(a.split(":")[1].startswith("Describe") for a in statements["Describe"]["Action"])


# ---- observability -----------------------------------------------------------------------------


def test_eks_colours_have_the_cpu_and_memory_alarms_the_ec2_colours_have(canary):
    alarms = {r.name: r.inputs for r in canary.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for key in ("app-cpu", "app-memory", "app-out-of-memory"):
        assert f"staging-alarms-{key}-blue" in alarms
        green = alarms[f"staging-alarms-{key}-green"]
        assert green["namespace"] == "ContainerInsights"
        assert green["dimensions"] == {"ClusterName": "platform-staging", "Namespace": "app", "PodName": "app-green"}
    assert alarms["staging-alarms-app-cpu-green"]["metricName"] == "pod_cpu_utilization_over_pod_limit"
    assert alarms["staging-alarms-app-memory-green"]["metricName"] == "pod_memory_utilization_over_pod_limit"
    # Database connection failures are counted in the pods' logs too.
    (pods_filter,) = [
        r
        for r in canary.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
        if r.name == "staging-alarms-db-connection-failures-pods"
    ]
    assert pods_filter.inputs["logGroupName"] == "/aws/containerinsights/platform-staging/application"
    assert "staging-alarms-db-connection-failures-pods" in alarms
    body = resource(canary, "aws:cloudwatch/dashboard:Dashboard", "staging-dashboard-main").inputs["dashboardBody"]
    assert "pod_cpu_utilization_over_pod_limit" in body and "pod_memory_utilization_over_pod_limit" in body


# ---- the pack ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "graph"),
    [("staging", staging_canary), ("prod", variants.prod_on_eks)],
    ids=["staging-canary", "prod-on-eks"],
)
def test_both_tiers_on_eks_pass_the_pack(stack, graph, pack_server):
    config = load_stack_config(REPO, stack)
    pack_server.configure(json.loads((REPO / "policies" / "config" / f"{stack}.json").read_text()))
    diagnostics = pack_server.analyze_graph(graph(), config.values)
    assert [(d.policy_name, d.urn) for d in diagnostics if d.mandatory] == []
    assert not [d for d in diagnostics if d.policy_name.startswith(("kubernetes", "eks"))]
