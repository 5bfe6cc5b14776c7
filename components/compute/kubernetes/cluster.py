"""The EKS cluster from plain pulumi-aws resources (K8S-6): control plane in the app subnets,
secrets envelope-encrypted with its own CMK, all control-plane logs, API authentication with
access entries, a managed node group on a hardened launch template, pinned add-ons, and Pod
Identity roles for the add-ons that call AWS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ...config import EksSettings
from ...foundation.log_groups import encrypted_log_group
from ...foundation.protection import Protection
from ...foundation.security_groups import DATA_PORTS, HTTPS, SecurityGroups
from .iam import pod_role, role

# All five control-plane log types (K8S-6, OBS-2).
CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
# The log groups the CloudWatch Observability add-on (Fluent Bit, the agent) writes to; containers'
# output goes to the first.
CONTAINER_INSIGHTS_LOGS = ("application", "dataplane", "host", "performance")
# The managed node group's AMI family; EKS supplies the bootstrap when the template names no AMI.
AMI_TYPE = "AL2023_x86_64_STANDARD"
ROOT_DEVICE = "/dev/xvda"
KUBELET_PORT = 10250
# The metrics-server add-on listens here (EKS docs: "pre-configured to use port 10251"); the HPA needs it.
METRICS_SERVER_PORT = 10251
# Admission webhooks the control plane calls on pods (AWS Load Balancer Controller, Secrets Store CSI).
WEBHOOK_PORT = 9443
NODE_POLICIES = {
    "worker": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "ecr": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    # The VPC CNI runs on the host network with the node's role (pods can't reach IMDS: hop limit 1).
    "cni": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    # HOST-1: Session Manager instead of SSH.
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
}
ACCESS_POLICIES = {
    "admin": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    "viewer": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
}
# Add-ons whose DaemonSets make a node Ready; they install before the node group joins. The others
# run Deployments, which only turn ACTIVE once nodes exist.
NODE_ADDONS = {"vpc_cni": "vpc-cni", "kube_proxy": "kube-proxy", "pod_identity_agent": "eks-pod-identity-agent"}
WORKLOAD_ADDONS = {
    "coredns": "coredns",
    "metrics_server": "metrics-server",
    "ebs_csi_driver": "aws-ebs-csi-driver",
    "cloudwatch_observability": "amazon-cloudwatch-observability",
}


class Cluster(pulumi.ComponentResource):
    """An EKS cluster whose API is private unless `settings` opens it to listed networks, and whose
    nodes sit in the app subnets behind their own security group: the load balancer reaches pods
    on the app port, pods reach the data stores on their ports, nothing else comes in."""

    def __init__(
        self,
        name: str,
        settings: EksSettings,
        *,
        cluster_name: str,
        account_id: str,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[str]],
        security_groups: SecurityGroups,
        app_port: int,
        data_key: aws.kms.Key,
        logs_key: aws.kms.Key,
        log_retention_days: int,
        protection: Protection,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:kubernetes:Cluster", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        self.cluster_name = cluster_name

        self.role = role(
            f"{name}-role",
            "eks.amazonaws.com",
            parent=self,
            managed={"cluster": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"},
            actions=("sts:AssumeRole", "sts:TagSession"),
        )
        self.secrets_key = self._secrets_key(name, account_id, protection)
        # EKS writes to exactly this group; created first so it is encrypted and expires (OBS-2).
        self.log_group = encrypted_log_group(
            f"{name}-logs", f"/aws/eks/{cluster_name}/cluster", log_retention_days, logs_key, parent=self
        )
        # Container Insights writes to these; created first so they are encrypted and expire too.
        self.insights_log_groups = [
            encrypted_log_group(
                f"{name}-insights-{kind}",
                f"/aws/containerinsights/{cluster_name}/{kind}",
                log_retention_days,
                logs_key,
                parent=self,
            )
            for kind in CONTAINER_INSIGHTS_LOGS
        ]
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=cluster_name,
            version=settings.version,
            role_arn=self.role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=settings.endpoint_public_access,
                public_access_cidrs=settings.public_access_cidrs or None,
            ),
            # Access entries only (no aws-auth ConfigMap); the identity running `pulumi up` keeps
            # admin so the workload can be deployed, operators get theirs below.
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=self.secrets_key.arn),
            ),
            enabled_cluster_log_types=CONTROL_PLANE_LOGS,
            # The add-ons below are EKS-managed and pinned; EKS installs none of its own.
            bootstrap_self_managed_addons=False,
            deletion_protection=protection.enabled,
            opts=protection.options(self, depends_on=[self.log_group, self.secrets_key]),
        )
        self.endpoint = self.cluster.endpoint
        self.certificate_authority = self.cluster.certificate_authority.data
        cluster_sg = self.cluster.vpc_config.cluster_security_group_id

        self.node_security_group = self._node_security_group(name, vpc_id, cluster_sg, security_groups, app_port)
        self._access_entries(name, settings)

        node_addons = [self._addon(key, addon, settings) for key, addon in NODE_ADDONS.items()]
        self.node_role = role(f"{name}-node-role", "ec2.amazonaws.com", parent=self, managed=NODE_POLICIES)
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-nodes",
            name=f"{cluster_name}-nodes",
            # HOST-2: session tokens only. Hop limit 1: pods get AWS credentials from Pod Identity,
            # never the node role; what needs the metadata service (VPC CNI, kube-proxy, the Pod
            # Identity agent, the CloudWatch agent) runs on the host network, one hop away.
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            # NET-7: the node group's security group only (pods share it through the VPC CNI).
            vpc_security_group_ids=[self.node_security_group.id],
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_type="gp3",
                        volume_size=settings.node_disk_gb,
                        encrypted="true",
                        kms_key_id=data_key.arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            update_default_version=True,
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={**tags, "Name": f"{cluster_name}-node"}
                )
                for kind in ("instance", "volume", "network-interface")
            ],
            opts=child,
        )
        # No remote_access: no SSH key, no port 22 (HOST-1); Session Manager through the SSM policy.
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=self.cluster.name,
            node_group_name=f"{cluster_name}-nodes",
            node_role_arn=self.node_role.arn,
            # The nodes follow the control plane's version (one minor version at a time).
            version=self.cluster.version,
            subnet_ids=subnet_ids,
            ami_type=AMI_TYPE,
            capacity_type="ON_DEMAND",
            instance_types=settings.node_instance_types,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=settings.node_min_size,
                desired_size=settings.node_desired_size,
                max_size=settings.node_max_size,
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=node_addons),
        )
        self.ebs_csi_identity = pod_role(
            f"{name}-ebs-csi",
            cluster_name=self.cluster.name,
            namespace="kube-system",
            service_account="ebs-csi-controller-sa",
            parent=self,
            managed={"ebs": "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"},
        )
        self.observability_identity = pod_role(
            f"{name}-cloudwatch",
            cluster_name=self.cluster.name,
            namespace="amazon-cloudwatch",
            service_account="cloudwatch-agent",
            parent=self,
            managed={"agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"},
        )
        self.addons = {
            # After the identities, so the add-ons' first pods already get their credentials.
            key: self._addon(
                key,
                addon,
                settings,
                depends_on=[
                    self.node_group,
                    self.ebs_csi_identity,
                    self.observability_identity,
                    *self.insights_log_groups,
                ],
            )
            for key, addon in WORKLOAD_ADDONS.items()
        }
        self.register_outputs(
            {"cluster_name": self.cluster.name, "endpoint": self.endpoint, "node_group": self.node_group.arn}
        )

    def _secrets_key(self, name: str, account_id: str, protection: Protection) -> aws.kms.Key:
        """The CMK for envelope encryption of Kubernetes secrets; its policy names the cluster role
        (EKS docs: the cluster role must be allowed to use the key)."""
        key_policy = pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountAdministers",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "ClusterRoleEncryptsSecrets",
                        "Effect": "Allow",
                        "Principal": {"AWS": self.role.arn},
                        "Action": [
                            "kms:Encrypt",
                            "kms:Decrypt",
                            "kms:DescribeKey",
                            "kms:CreateGrant",
                            "kms:ListGrants",
                        ],
                        "Resource": "*",
                    },
                ],
            }
        )
        return aws.kms.Key(
            f"{name}-secrets-key",
            description=f"{self._name}: envelope encryption of Kubernetes secrets",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=key_policy,
            opts=protection.options(self),
        )

    def _node_security_group(
        self,
        name: str,
        vpc_id: pulumi.Input[str],
        cluster_sg: pulumi.Input[str],
        groups: SecurityGroups,
        app_port: int,
    ) -> aws.ec2.SecurityGroup:
        """Nodes and their pods: the ALB → app port, the control plane ↔ kubelet/webhooks, node ↔
        node (pod networking, CoreDNS), HTTPS out, and the data-store ports to those groups only."""
        child = pulumi.ResourceOptions(parent=self)
        node = aws.ec2.SecurityGroup(
            f"{name}-nodes",
            vpc_id=vpc_id,
            description="EKS nodes and pods: app port from the load balancer, control plane, each other",
            tags={"Name": f"{name}-nodes"},
            opts=child,
        )

        def rule(kind: str, label: str, group: pulumi.Input[str], port: int, protocol: str = "tcp", **peer) -> None:
            resource = aws.vpc.SecurityGroupIngressRule if kind == "ingress" else aws.vpc.SecurityGroupEgressRule
            resource(
                f"{name}-{label}",
                security_group_id=group,
                ip_protocol=protocol,
                from_port=port,
                to_port=port,
                description=label.replace("-", " "),
                opts=child,
                **peer,
            )

        rule("ingress", "nodes-from-alb", node.id, app_port, referenced_security_group_id=groups.alb.id)
        rule("egress", "alb-to-nodes", groups.alb.id, app_port, referenced_security_group_id=node.id)
        for port in (HTTPS, KUBELET_PORT, METRICS_SERVER_PORT, WEBHOOK_PORT):
            rule("ingress", f"nodes-from-control-plane-{port}", node.id, port, referenced_security_group_id=cluster_sg)
        rule("ingress", "control-plane-from-nodes", cluster_sg, HTTPS, referenced_security_group_id=node.id)
        # Between nodes only what pods need of each other: CoreDNS, and metrics-server → kubelets.
        for label, port, protocol in (("dns-udp", 53, "udp"), ("dns-tcp", 53, "tcp"), ("kubelet", KUBELET_PORT, "tcp")):
            rule("ingress", f"nodes-from-nodes-{label}", node.id, port, protocol, referenced_security_group_id=node.id)
            rule("egress", f"nodes-to-nodes-{label}", node.id, port, protocol, referenced_security_group_id=node.id)
        rule("egress", "nodes-to-control-plane", node.id, HTTPS, referenced_security_group_id=cluster_sg)
        # ECR, the EKS and AWS APIs, and the third-party services the application calls (as app-https-out).
        rule("egress", "nodes-https-out", node.id, HTTPS, cidr_ipv4="0.0.0.0/0")
        for store, port in DATA_PORTS.items():
            rule("egress", f"nodes-to-{store}", node.id, port, referenced_security_group_id=groups.data[store].id)
            rule("ingress", f"{store}-from-nodes", groups.data[store].id, port, referenced_security_group_id=node.id)
        return node

    def _access_entries(self, name: str, settings: EksSettings) -> None:
        """How operators reach the cluster: an access entry per IAM role, cluster-wide policy."""
        for level, arns in (("admin", settings.admin_role_arns), ("viewer", settings.viewer_role_arns)):
            for index, arn in enumerate(arns):
                entry = aws.eks.AccessEntry(
                    f"{name}-{level}-{index}",
                    cluster_name=self.cluster.name,
                    principal_arn=arn,
                    type="STANDARD",
                    opts=pulumi.ResourceOptions(parent=self),
                )
                aws.eks.AccessPolicyAssociation(
                    f"{name}-{level}-{index}",
                    cluster_name=self.cluster.name,
                    principal_arn=arn,
                    policy_arn=ACCESS_POLICIES[level],
                    access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
                )

    def _addon(
        self, key: str, addon: str, settings: EksSettings, depends_on: Sequence[pulumi.Resource] = ()
    ) -> aws.eks.Addon:
        # VPC CNI: its network policy agent enforces the workload's NetworkPolicies (K8S-5).
        values = {"vpc-cni": {"enableNetworkPolicy": "true"}}.get(addon)
        return aws.eks.Addon(
            f"{self._name}-{addon}",
            cluster_name=self.cluster.name,
            addon_name=addon,
            addon_version=getattr(settings.addons, key),
            configuration_values=pulumi.Output.json_dumps(values) if values else None,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )
