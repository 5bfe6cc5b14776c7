"""Network policies: each with a violating and a compliant fixture built from pulumi_aws classes."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case


def _sg(**ingress):
    return lambda: aws.ec2.SecurityGroup("sg", vpc_id="vpc-1", ingress=[aws.ec2.SecurityGroupIngressArgs(**ingress)])


def _web(port=443, cidr="0.0.0.0/0", description="https from the internet"):
    return _sg(protocol="tcp", from_port=port, to_port=port, cidr_blocks=[cidr], description=description)


def _vpc_with(*extras):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        for extra in extras:
            extra(vpc)

    return program


def _flow_log(vpc):
    aws.ec2.FlowLog("vpc-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination="arn:aws:logs:x", iam_role_arn="r")


def _default_sg(vpc):
    aws.ec2.DefaultSecurityGroup("vpc-default-sg", vpc_id=vpc.id)


def _data_tier(route_to_internet: bool):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
        subnet = aws.ec2.Subnet("data-a", vpc_id=vpc.id, cidr_block="10.0.20.0/24")
        table = aws.ec2.RouteTable("data-rt", vpc_id=vpc.id)
        if route_to_internet:
            aws.ec2.Route(
                "data-default", route_table_id=table.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id
            )
        aws.ec2.RouteTableAssociation("data-a-rt", subnet_id=subnet.id, route_table_id=table.id)
        aws.rds.SubnetGroup("db-subnets", subnet_ids=[subnet.id])

    return program


CASES = [
    Case("ec2-securitygroup-public-ingress-web-only", _web(5432), _web(443), "open to the internet"),
    Case(
        "ec2-securitygroup-public-ingress-web-only",
        lambda: aws.vpc.SecurityGroupIngressRule("r", security_group_id="sg-1", ip_protocol="-1", cidr_ipv6="::/0"),
        lambda: aws.vpc.SecurityGroupIngressRule(
            "r", security_group_id="sg-1", ip_protocol="tcp", from_port=80, to_port=80, cidr_ipv4="0.0.0.0/0"
        ),
        "all ports",
    ),
    Case(
        "ec2-securitygroup-no-ssh-ingress",
        lambda: aws.ec2.SecurityGroupRule(
            "ssh",
            type="ingress",
            security_group_id="sg-1",
            protocol="tcp",
            from_port=0,
            to_port=1024,
            cidr_blocks=["10.0.0.0/8"],
        ),
        lambda: aws.ec2.SecurityGroupRule(
            "egress",
            type="egress",
            security_group_id="sg-1",
            protocol="tcp",
            from_port=22,
            to_port=22,
            cidr_blocks=["10.0.0.0/8"],
        ),
        "port 22",
    ),
    Case(
        "ec2-securitygroup-datastore-ports-from-groups",
        _web(5432, cidr="10.0.0.0/16"),
        _sg(protocol="tcp", from_port=5432, to_port=5432, security_groups=["sg-app"], description="app"),
        "data-store port 5432",
    ),
    Case("ec2-securitygroup-rule-descriptions", _web(description=""), _web(), "no description"),
    Case(
        "ec2-defaultsecuritygroup-no-rules",
        lambda: aws.ec2.DefaultSecurityGroup(
            "d",
            vpc_id="vpc-1",
            ingress=[aws.ec2.DefaultSecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, self=True)],
        ),
        lambda: aws.ec2.DefaultSecurityGroup("d", vpc_id="vpc-1"),
        "ingress rules",
    ),
    Case("ec2-vpc-default-security-group-adopted", _vpc_with(), _vpc_with(_default_sg), "default security group"),
    Case(
        "ec2-subnet-no-auto-public-ip",
        lambda: aws.ec2.Subnet("s", vpc_id="vpc-1", cidr_block="10.0.0.0/24", map_public_ip_on_launch=True),
        lambda: aws.ec2.Subnet("s", vpc_id="vpc-1", cidr_block="10.0.0.0/24"),
        "mapPublicIpOnLaunch",
    ),
    Case("ec2-vpc-flow-logs-enabled", _vpc_with(_default_sg), _vpc_with(_flow_log), "no flow log"),
    Case(
        "ec2-flowlog-all-traffic",
        lambda: aws.ec2.FlowLog("f", vpc_id="vpc-1", traffic_type="REJECT", log_destination="arn:aws:logs:x"),
        lambda: aws.ec2.FlowLog("f", vpc_id="vpc-1", traffic_type="ALL", log_destination="arn:aws:logs:x"),
        "REJECT",
    ),
    Case("ec2-datastore-subnets-no-internet-route", _data_tier(True), _data_tier(False), "routes 0.0.0.0/0"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_string_typed_ports_and_booleans_are_understood(pack):
    # Engines and older SDKs can deliver numbers and booleans as strings.
    def program():
        aws.ec2.SecurityGroupRule(
            "r",
            type="ingress",
            security_group_id="sg-1",
            protocol="tcp",
            from_port="3389",
            to_port="3389",
            cidr_blocks=["0.0.0.0/0"],
            description="rdp",
        )
        aws.ec2.Subnet("s", vpc_id="vpc-1", cidr_block="10.0.0.0/24", map_public_ip_on_launch="true")

    names = {d.policy_name for d in pack.check(program)}
    assert {"ec2-securitygroup-no-ssh-ingress", "ec2-subnet-no-auto-public-ip"} <= names
