"""The EKS cluster on the graph (K8S-6): control plane, logs, encryption, access, node group,
add-ons, Pod Identity, security groups; and the platform choice per colour."""

from __future__ import annotations

import json

from components.compute.kubernetes.cluster import CONTROL_PLANE_LOGS
from tests.components import variants
from tests.components.variants import AUDITOR_ROLE, OPERATOR_ROLE
from tests.graph import resource, subnet_ids

ASG = "aws:autoscaling/group:Group"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CLUSTER = "aws:eks/cluster:Cluster"
ADDON = "aws:eks/addon:Addon"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _policy(registration, key="policy") -> dict:
    return json.loads(registration.inputs[key])


# ---- platform per colour ---------------------------------------------------------------------


def test_each_colour_runs_on_its_platform(staging, canary, eks_prod):
    assert [r.name for r in canary.of_type(ASG)] == ["staging-app-blue"]
    assert [r.inputs["metadata"]["name"] for r in canary.of_type(DEPLOYMENT)] == ["app-green"]
    assert eks_prod.of_type(ASG) == []
    # No instance role that may read the app's secrets when no colour runs on EC2.
    assert [r.name for r in eks_prod.of_type("aws:iam/instanceProfile:InstanceProfile")] == []
    assert [r.name for r in canary.of_type("aws:iam/instanceProfile:InstanceProfile")] == ["staging-app-profile"]
    assert sorted(r.inputs["metadata"]["name"] for r in eks_prod.of_type(DEPLOYMENT)) == ["app-blue", "app-green"]
    # The ec2 defaults register nothing of the EKS platform.
    assert not [r for r in staging if r.type.startswith(("aws:eks/", "kubernetes:", "pulumi:providers:kubernetes"))]


def test_an_eks_colour_target_group_takes_pod_ips_under_its_own_name(staging, canary):
    groups = {r.name: r.inputs for r in canary.of_type("aws:lb/targetGroup:TargetGroup")}
    assert (groups["staging-lb-blue"]["targetType"], groups["staging-lb-blue"]["name"]) == (
        "instance",
        "platform-staging-blue-3000",
    )
    # `ip` can't be set in place: a new name lets the replacement be created before the old goes.
    assert (groups["staging-lb-green"]["targetType"], groups["staging-lb-green"]["name"]) == (
        "ip",
        "platform-staging-green-ip-3000",
    )
    default = resource(staging, "aws:lb/targetGroup:TargetGroup", "staging-lb-green").inputs
    assert (default["targetType"], default["name"]) == ("instance", "platform-staging-green-3000")


def test_rollback_stays_a_listener_weight_change(canary):
    (rule,) = canary.of_type("aws:lb/listenerRule:ListenerRule")
    weights = [g["weight"] for g in rule.inputs["actions"][0]["forward"]["targetGroups"]]
    assert weights == [90, 10]


# ---- control plane ---------------------------------------------------------------------------


def test_control_plane_is_private_in_the_app_subnets(canary):
    cluster = resource(canary, CLUSTER, "staging-eks-cluster").inputs
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["vpcConfig"]["endpointPublicAccess"] is False
    assert set(cluster["vpcConfig"]["subnetIds"]) == subnet_ids(canary, "app")
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    assert cluster["bootstrapSelfManagedAddons"] is False


def test_secrets_are_envelope_encrypted_with_a_key_the_cluster_role_may_use(canary):
    cluster = resource(canary, CLUSTER, "staging-eks-cluster")
    key = resource(canary, "aws:kms/key:Key", "staging-eks-secrets-key")
    config = cluster.inputs["encryptionConfig"]
    assert config["resources"] == ["secrets"] and config["provider"]["keyArn"] == key.outputs["arn"]
    role_arn = cluster.inputs["roleArn"]
    grants = [s for s in _policy(key)["Statement"] if s["Principal"].get("AWS") == role_arn]
    assert grants and {"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"} <= set(grants[0]["Action"])
    assert key.inputs["enableKeyRotation"] is True


def test_all_control_plane_logs_go_to_the_encrypted_group_eks_writes_to(canary):
    cluster = resource(canary, CLUSTER, "staging-eks-cluster")
    assert cluster.inputs["enabledClusterLogTypes"] == CONTROL_PLANE_LOGS
    assert set(CONTROL_PLANE_LOGS) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    group = resource(canary, "aws:cloudwatch/logGroup:LogGroup", "staging-eks-logs")
    assert group.inputs["name"] == f"/aws/eks/{cluster.inputs['name']}/cluster"
    assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == 30
    assert group.urn in cluster.dependencies
    # Container Insights' groups too, before the add-on writes to them.
    insights = [
        r for r in canary.of_type("aws:cloudwatch/logGroup:LogGroup") if "containerinsights" in r.inputs["name"]
    ]
    assert sorted(r.inputs["name"].rsplit("/", 1)[-1] for r in insights) == [
        "application",
        "dataplane",
        "host",
        "performance",
    ]
    assert all(r.inputs["kmsKeyId"] and r.inputs["retentionInDays"] == 30 for r in insights)


def test_prod_cluster_and_its_key_are_protected(canary, eks_prod):
    for graph, protected in ((canary, False), (eks_prod, True)):
        prefix = "prod" if protected else "staging"
        cluster = resource(graph, CLUSTER, f"{prefix}-eks-cluster")
        assert (cluster.protect, cluster.inputs["deletionProtection"]) == (protected, protected)
        assert resource(graph, "aws:kms/key:Key", f"{prefix}-eks-secrets-key").protect is protected


def test_operators_reach_the_cluster_through_access_entries(canary, eks_prod):
    entries = {r.inputs["principalArn"]: r for r in eks_prod.of_type("aws:eks/accessEntry:AccessEntry")}
    associations = eks_prod.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert {a.inputs["principalArn"]: a.inputs["policyArn"].rsplit("/", 1)[-1] for a in associations} == {
        OPERATOR_ROLE: "AmazonEKSClusterAdminPolicy",
        AUDITOR_ROLE: "AmazonEKSViewPolicy",
    }
    for association in associations:
        assert association.inputs["policyArn"].startswith("arn:aws:eks::aws:cluster-access-policy/")
        assert association.inputs["accessScope"] == {"type": "cluster"}
        # The policy attaches to an entry, so it waits for it.
        assert entries[association.inputs["principalArn"]].urn in association.dependencies
    assert {e.inputs["type"] for e in entries.values()} == {"STANDARD"}
    assert canary.of_type("aws:eks/accessEntry:AccessEntry") == []


# ---- nodes -----------------------------------------------------------------------------------


def test_node_group_spans_the_app_subnets_on_a_hardened_template(eks_prod):
    group = resource(eks_prod, "aws:eks/nodeGroup:NodeGroup", "prod-eks-nodes")
    template = resource(eks_prod, "aws:ec2/launchTemplate:LaunchTemplate", "prod-eks-nodes")
    data_key = resource(eks_prod, "aws:kms/key:Key", "prod-keys-data")
    node_sg = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", "prod-eks-nodes")
    assert set(group.inputs["subnetIds"]) == subnet_ids(eks_prod, "app") and len(subnet_ids(eks_prod, "app")) == 3
    assert "remoteAccess" not in group.inputs  # no SSH key, no port 22
    assert group.inputs["launchTemplate"]["id"] == template.id
    metadata = template.inputs["metadataOptions"]
    # Pods get credentials from Pod Identity, so they need no route to the metadata service.
    assert (metadata["httpTokens"], metadata["httpPutResponseHopLimit"]) == ("required", 1)
    (disk,) = template.inputs["blockDeviceMappings"]
    assert disk["ebs"]["volumeType"] == "gp3" and disk["ebs"]["encrypted"] == "true"
    assert disk["ebs"]["kmsKeyId"] == data_key.outputs["arn"]
    assert template.inputs["vpcSecurityGroupIds"] == [node_sg.id]
    assert "keyName" not in template.inputs and "imageId" not in template.inputs


def test_node_role_has_session_manager_and_no_more_than_the_node_policies(eks_prod):
    role = resource(eks_prod, "aws:iam/role:Role", "prod-eks-node-role")
    attached = {
        r.inputs["policyArn"].rsplit("/", 1)[-1]
        for r in eks_prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.name.startswith("prod-eks-node-role-")
    }
    assert attached == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEKS_CNI_Policy",
        "AmazonSSMManagedInstanceCore",
    }
    assert _policy(role, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_add_ons_are_pinned_and_ordered_around_the_nodes(eks_prod):
    addons = {r.inputs["addonName"]: r for r in eks_prod.of_type(ADDON)}
    # Each pinned to its configured version (tests/components/test_config_reaches_graph.py).
    pins = variants.EKS["eks"]["addons"]
    assert {name: r.inputs["addonVersion"] for name, r in addons.items()} == {
        "vpc-cni": pins["vpc_cni"],
        "kube-proxy": pins["kube_proxy"],
        "eks-pod-identity-agent": pins["pod_identity_agent"],
        "coredns": pins["coredns"],
        "metrics-server": pins["metrics_server"],
        "aws-ebs-csi-driver": pins["ebs_csi_driver"],
        "amazon-cloudwatch-observability": pins["cloudwatch_observability"],
    }
    # The CNI enforces the NetworkPolicies.
    assert json.loads(addons["vpc-cni"].inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    nodes = resource(eks_prod, "aws:eks/nodeGroup:NodeGroup", "prod-eks-nodes")
    for name in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
        assert addons[name].urn in nodes.dependencies
    for name in ("coredns", "metrics-server", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"):
        assert nodes.urn in addons[name].dependencies


def test_add_ons_and_controller_get_their_roles_through_pod_identity(eks_prod):
    associations = {
        (r.inputs["namespace"], r.inputs["serviceAccount"]): r
        for r in eks_prod.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    }
    assert set(associations) == {
        (variants.EKS["eks"]["namespace"], "app"),
        ("kube-system", "aws-load-balancer-controller"),
        ("kube-system", "ebs-csi-controller-sa"),
        ("amazon-cloudwatch", "cloudwatch-agent"),
    }
    roles = {r.outputs["arn"]: r for r in eks_prod.of_type("aws:iam/role:Role")}
    for association in associations.values():
        trust = _policy(roles[association.inputs["roleArn"]], "assumeRolePolicy")["Statement"][0]
        assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
        assert trust["Action"] == ["sts:AssumeRole", "sts:TagSession"]


# ---- data access (NET-7) ---------------------------------------------------------------------


def _rules(graph, kind, group_id):
    return [r.inputs for r in graph.of_type(kind) if r.inputs.get("securityGroupId") == group_id]


def test_data_stores_admit_the_node_group_on_their_port_and_nothing_wider(eks_prod):
    node_sg = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", "prod-eks-nodes").id
    app_sg = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", "prod-sg-app").id
    for store, port in (("postgres", 5432), ("docdb", 27017), ("redis", 6379)):
        group = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", f"prod-sg-{store}").id
        sources = {
            (r["referencedSecurityGroupId"], r["fromPort"], r["toPort"]) for r in _rules(eks_prod, INGRESS, group)
        }
        assert sources == {(app_sg, port, port), (node_sg, port, port)}
        assert not any(r.get("cidrIpv4") or r.get("cidrIpv6") for r in _rules(eks_prod, INGRESS, group))


def test_nodes_take_the_app_port_from_the_load_balancer_only_from_outside(eks_prod):
    node_sg = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", "prod-eks-nodes").id
    alb_sg = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", "prod-sg-alb").id
    ingress = _rules(eks_prod, INGRESS, node_sg)
    assert not any(r.get("cidrIpv4") or r.get("cidrIpv6") for r in ingress)
    assert {r["ipProtocol"] for r in ingress} <= {"tcp", "udp"}  # never all protocols
    from_alb = [r for r in ingress if r.get("referencedSecurityGroupId") == alb_sg]
    port = variants.EKS["app_port"]
    assert [(r["fromPort"], r["toPort"]) for r in from_alb] == [(port, port)]


def test_nodes_and_control_plane_reach_each_other_on_the_ports_they_need(eks_prod):
    cluster = resource(eks_prod, CLUSTER, "prod-eks-cluster")
    cluster_sg = cluster.outputs["vpcConfig"]["clusterSecurityGroupId"]
    node_sg = resource(eks_prod, "aws:ec2/securityGroup:SecurityGroup", "prod-eks-nodes").id
    into_cluster = _rules(eks_prod, INGRESS, cluster_sg)
    assert [(r["referencedSecurityGroupId"], r["fromPort"]) for r in into_cluster] == [(node_sg, 443)]
    from_cluster = {
        r["fromPort"] for r in _rules(eks_prod, INGRESS, node_sg) if r.get("referencedSecurityGroupId") == cluster_sg
    }
    # API server → kubelet, metrics-server (10251 in the EKS add-on) and admission webhooks.
    assert from_cluster == {443, 10250, 10251, 9443}
