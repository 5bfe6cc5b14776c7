"""The VPC: three subnet tiers per AZ, NAT egress for the app tier only, flow logs (NET-5, NET-6)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..config import SUBNET_TIERS, NetworkSettings
from .log_groups import encrypted_log_group


def aws_owned_buckets(region: str) -> list[str]:
    """The AWS buckets an app instance reads through the endpoint: the Amazon Linux 2023 package
    repositories (dnf: docker, the CloudWatch agent), ECR's image layers, and SSM Agent's updates,
    documents and patch snapshots (AWS: AL2023 user guide, "Package repository ... S3"; ECR user
    guide, "Minimum Amazon S3 bucket permissions"; Systems Manager user guide, "SSM Agent
    communications with AWS managed S3 buckets")."""
    return [
        f"al2023-repos-{region}-de612dc2",
        f"prod-{region}-starport-layer-bucket",
        f"aws-ssm-{region}",
        f"amazon-ssm-{region}",
        f"amazon-ssm-packages-{region}",
        f"{region}-birdwatcher-prod",
        f"aws-ssm-distributor-file-{region}",
        f"aws-ssm-document-attachments-{region}",
        f"patch-baseline-snapshot-{region}",
    ]


def s3_endpoint_policy(region: str) -> dict:
    """Read-only access to AWS's own buckets; the stack's buckets aren't read from instances
    (add one here, and to the instance role, when the application starts to)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AwsOwnedBucketsRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}/*" for bucket in aws_owned_buckets(region)],
            }
        ],
    }


class Network(pulumi.ComponentResource):
    """Public subnets hold the load balancer and NAT gateways, app subnets the instances (egress
    through NAT), data subnets the databases and cache (no route out of the VPC at all)."""

    vpc: aws.ec2.Vpc
    subnets: dict[str, list[aws.ec2.Subnet]]

    def __init__(
        self,
        name: str,
        settings: NetworkSettings,
        region: str,
        logs_key: aws.kms.Key,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        zones = settings.availability_zones

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(settings.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        # NET-7: the default security group is adopted and left without a single rule, so nothing
        # that lands in it by mistake can talk to anything.
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=self.vpc.id, ingress=[], egress=[], opts=child
        )

        plan = settings.subnet_plan()
        self.subnets = {
            tier: [
                aws.ec2.Subnet(
                    f"{name}-{tier}-{zone}",
                    vpc_id=self.vpc.id,
                    cidr_block=str(cidr),
                    availability_zone=zone,
                    # The ALB and NAT gateways get their addresses explicitly; no instance should
                    # ever receive a public IP just by landing in a subnet (HOST-4).
                    map_public_ip_on_launch=False,
                    tags={"Name": f"{name}-{tier}-{zone}", "tier": tier},
                    opts=child,
                )
                for zone, cidr in zip(zones, plan[tier], strict=True)
            ]
            for tier in SUBNET_TIERS
        }

        self.internet_gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, opts=child)
        public_rt = self._route_table(name, "public", dict(zip(zones, self.subnets["public"], strict=True)))
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self.internet_gateway.id,
            opts=child,
        )

        nat_zones = zones if settings.nat_gateways == "one_per_az" else zones[:1]
        self.nat_gateways = []
        for zone, subnet in zip(nat_zones, self.subnets["public"], strict=False):
            eip = aws.ec2.Eip(f"{name}-nat-eip-{zone}", domain="vpc", opts=child)
            self.nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{zone}",
                    allocation_id=eip.allocation_id,
                    subnet_id=subnet.id,
                    tags={"Name": f"{name}-nat-{zone}"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.internet_gateway]),
                )
            )

        # One app route table per AZ so each zone egresses through its own NAT when it has one.
        self.app_route_tables = []
        for index, (zone, subnet) in enumerate(zip(zones, self.subnets["app"], strict=True)):
            table = self._route_table(name, f"app-{zone}", {zone: subnet})
            nat = self.nat_gateways[index if index < len(self.nat_gateways) else 0]
            aws.ec2.Route(
                f"{name}-app-default-{zone}",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child,
            )
            self.app_route_tables.append(table)

        # NET-5: the data tier's table has only the implicit local route.
        self.data_route_table = self._route_table(name, "data", dict(zip(zones, self.subnets["data"], strict=True)))

        # The app tier's in-region S3 traffic takes the endpoint (its prefix-list route is more
        # specific than the NAT default), so the endpoint policy is the app tier's S3 allow-list.
        # The data tier gets no route at all: only managed stores live there, and their snapshot
        # traffic never crosses the VPC's route tables.
        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[t.id for t in self.app_route_tables],
            policy=json.dumps(s3_endpoint_policy(region)),
            opts=child,
        )

        self.flow_log_group = encrypted_log_group(
            f"{name}-flow-logs", f"/vpc/{name}/flow-logs", settings.flow_log_retention_days, logs_key, parent=self
        )
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self._flow_log_role(name).arn,
            max_aggregation_interval=60,
            opts=child,
        )

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in self.subnets["public"]])
        self.app_subnet_ids = pulumi.Output.all(*[s.id for s in self.subnets["app"]])
        self.data_subnet_ids = pulumi.Output.all(*[s.id for s in self.subnets["data"]])
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "app_subnet_ids": self.app_subnet_ids,
                "data_subnet_ids": self.data_subnet_ids,
            }
        )

    def _route_table(self, name: str, label: str, subnets: dict[str, aws.ec2.Subnet]) -> aws.ec2.RouteTable:
        """A route table for `subnets` (keyed by AZ), associated with each of them."""
        table = aws.ec2.RouteTable(
            f"{name}-{label}-rt",
            vpc_id=self.vpc.id,
            tags={"Name": f"{name}-{label}"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        for zone, subnet in subnets.items():
            aws.ec2.RouteTableAssociation(
                f"{name}-{label}-rta-{zone}",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return table

    def _flow_log_role(self, name: str) -> aws.iam.Role:
        """The role VPC Flow Logs assumes to write into its log group, and nothing else."""
        role = aws.iam.Role(
            f"{name}-flow-log-role",
            assume_role_policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": self.vpc.owner_id}},
                        }
                    ],
                }
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-log-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            "Resource": [self.flow_log_group.arn, pulumi.Output.concat(self.flow_log_group.arn, ":*")],
                        }
                    ],
                }
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role
