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


def _icmp(cidr):
    return _sg(protocol="icmp", from_port=-1, to_port=-1, cidr_blocks=[cidr], description="path MTU discovery")


def _default_sg_rule(separate: bool):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        default = aws.ec2.DefaultSecurityGroup("vpc-default-sg", vpc_id=vpc.id)
        app = aws.ec2.SecurityGroup("app", vpc_id=vpc.id)
        aws.vpc.SecurityGroupIngressRule(
            "https",
            security_group_id=default.id if separate else app.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="10.0.0.0/16",
        )
        aws.ec2.SecurityGroupRule(
            "egress",
            type="egress",
            security_group_id=vpc.default_security_group_id if separate else app.id,
            protocol="-1",
            from_port=0,
            to_port=0,
            cidr_blocks=["0.0.0.0/0"],
        )

    return program


def _subnet_flow_logs(every: bool):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        for i, logged in enumerate([True, every]):
            subnet = aws.ec2.Subnet(f"app-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24")
            if logged:
                aws.ec2.FlowLog(f"app-{i}-flow", subnet_id=subnet.id, traffic_type="ALL", log_destination="arn:x")

    return program


def _main_table_data_tier(shape: str):
    """Data subnets without an association use the VPC's main route table."""

    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
        subnet = aws.ec2.Subnet("data-a", vpc_id=vpc.id, cidr_block="10.0.20.0/24")
        routes = [{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}] if shape == "default-table" else []
        aws.ec2.DefaultRouteTable("main", default_route_table_id=vpc.default_route_table_id, routes=routes)
        if shape == "main-route":
            aws.ec2.Route(
                "main-split",
                route_table_id=vpc.main_route_table_id,
                destination_cidr_block="0.0.0.0/1",
                gateway_id=igw.id,
            )
        aws.rds.SubnetGroup("db-subnets", subnet_ids=[subnet.id])

    return program


CASES = [
    Case(
        "ec2-securitygroup-public-ingress-web-only",
        _sg(protocol="tcp", from_port=8080, to_port=8080, cidr_blocks=["0.0.0.0/1", "128.0.0.0/1"], description="x"),
        _icmp("0.0.0.0/0"),
        "0.0.0.0/1, 128.0.0.0/1",
    ),
    Case(
        "ec2-securitygroup-no-ssh-ingress",
        _sg(protocol="-1", from_port=0, to_port=0, cidr_blocks=["10.0.0.0/8"], description="all"),
        _icmp("10.0.0.0/8"),
        "port 22",
    ),
    Case(
        "ec2-securitygroup-datastore-ports-from-groups",
        lambda: aws.vpc.SecurityGroupIngressRule(
            "pg", security_group_id="sg-1", ip_protocol="tcp", from_port=5432, to_port=5432, prefix_list_id="pl-123"
        ),
        lambda: aws.vpc.SecurityGroupIngressRule(
            "pg",
            security_group_id="sg-1",
            ip_protocol="tcp",
            from_port=5432,
            to_port=5432,
            referenced_security_group_id="sg-app",
        ),
        "prefix list pl-123",
    ),
    Case("ec2-defaultsecuritygroup-no-rules", _default_sg_rule(True), _default_sg_rule(False), "rule 'https'"),
    Case("ec2-defaultsecuritygroup-no-rules", _default_sg_rule(True), _default_sg_rule(False), "rule 'egress'"),
    Case("ec2-vpc-flow-logs-enabled", _subnet_flow_logs(False), _subnet_flow_logs(True), "subnets app-1"),
    Case(
        "ec2-datastore-subnets-no-internet-route",
        _main_table_data_tier("default-table"),
        _main_table_data_tier("local-only"),
        "through route table 'main'",
    ),
    Case(
        "ec2-datastore-subnets-no-internet-route",
        _main_table_data_tier("main-route"),
        _main_table_data_tier("local-only"),
        "routes 0.0.0.0/1",
    ),
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
