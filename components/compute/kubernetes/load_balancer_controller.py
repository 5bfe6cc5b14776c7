"""Traffic to the eks colours through the existing ALB: the AWS Load Balancer Controller (a Helm
release with its own Pod Identity role) registers each colour's pods into that colour's target
group through a TargetGroupBinding. The listener's weights stay the only canary/rollback lever."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...config import Color, EksSettings
from .cluster import Cluster
from .iam import pod_role
from .workload import Workload

CHART_REPO = "https://aws.github.io/eks-charts"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
# What a TargetGroupBinding needs: read the ELB/EC2 state, (de)register pod IPs in these target
# groups only. No Ingress/Service provisioning, so none of the create/modify/WAF permissions.
DESCRIBE = [
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
]


class LoadBalancerController(pulumi.ComponentResource):
    """The controller in kube-system and one TargetGroupBinding per eks colour."""

    bindings: dict[Color, k8s.apiextensions.CustomResource]

    def __init__(
        self,
        name: str,
        settings: EksSettings,
        *,
        cluster: Cluster,
        workload: Workload,
        region: str,
        vpc_id: pulumi.Input[str],
        target_groups: Mapping[Color, aws.lb.TargetGroup],
        app_port: int,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:kubernetes:LoadBalancerController", name, None, opts)
        targets: dict[Color, aws.lb.TargetGroup] = {color: target_groups[color] for color in workload.services}
        self.identity = pod_role(
            f"{name}-role",
            cluster_name=cluster.cluster.name,
            namespace="kube-system",
            service_account=SERVICE_ACCOUNT,
            parent=self,
            statements=[
                # Describe calls have no resource-level permissions (AWS).
                {"Sid": "Describe", "Effect": "Allow", "Action": DESCRIBE, "Resource": "*"},
                {
                    "Sid": "RegisterPods",
                    "Effect": "Allow",
                    "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                    "Resource": [tg.arn for tg in targets.values()],
                },
            ],
        )
        k8s_opts = pulumi.ResourceOptions(
            parent=self, provider=workload.provider, depends_on=[cluster.node_group, *cluster.addons.values()]
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            chart="aws-load-balancer-controller",
            version=settings.charts.load_balancer_controller,
            namespace="kube-system",
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPO),
            values={
                "clusterName": cluster.cluster.name,
                # Given, so the controller never needs the metadata service (nodes' hop limit is 1).
                "region": region,
                "vpcId": vpc_id,
                "replicaCount": 2,
                "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
                # Bindings only: no Service mutation, no WAF/Shield calls for Ingresses.
                "enableServiceMutatorWebhook": False,
                "enableShield": False,
                "enableWaf": False,
                "enableWafv2": False,
            },
            opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[self.identity])),
        )
        self.bindings = {
            color: k8s.apiextensions.CustomResource(
                f"{name}-{color}",
                api_version="elbv2.k8s.aws/v1beta1",
                kind="TargetGroupBinding",
                metadata={"name": f"app-{color}", "namespace": workload.namespace_name},
                spec={
                    "serviceRef": {"name": workload.services[color].metadata.name, "port": app_port},
                    "targetGroupARN": target.arn,
                    "targetType": "ip",
                },
                # The CRD comes with the chart.
                opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[self.release])),
            )
            for color, target in targets.items()
        }
        self.register_outputs({"release": self.release.name})
