"""Network shape per tier (NET-5, NET-6, NET-7) in staging and prod."""

from __future__ import annotations

import ipaddress
import json

import pytest

from tests.graph import subnets

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"


@pytest.mark.parametrize(("stack_name", "azs", "nats"), [("staging", 2, 1), ("prod", 3, 3)])
def test_one_subnet_per_tier_per_az_and_nat_per_tier_policy(request, stack_name, azs, nats):
    graph = request.getfixturevalue(stack_name)
    for tier in ("public", "app", "data"):
        assert len(subnets(graph, tier)) == azs
        assert len({s.inputs["availabilityZone"] for s in subnets(graph, tier)}) == azs
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == nats
    assert len(graph.of_type("aws:ec2/eip:Eip")) == nats


def test_subnets_are_disjoint_and_inside_the_vpc(stack):
    vpc = ipaddress.ip_network(stack.of_type("aws:ec2/vpc:Vpc")[0].inputs["cidrBlock"])
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in stack.of_type(SUBNET)]
    assert all(b.subnet_of(vpc) for b in blocks)
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_no_subnet_maps_public_ips(stack):
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in stack.of_type(SUBNET))


def test_vpc_resolves_dns(stack):
    vpc = stack.of_type("aws:ec2/vpc:Vpc")[0]
    assert vpc.inputs["enableDnsSupport"] and vpc.inputs["enableDnsHostnames"]


def routes_of(graph, label):
    table = graph.named(f"{graph.stack}-network-{label}-rt")
    return [r for r in graph.of_type(ROUTE) if table.urn in r.dependencies]


def test_public_tier_routes_to_the_internet_gateway(stack):
    (route,) = routes_of(stack, "public")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["gatewayId"].startswith("igw-")


def test_each_app_subnet_egresses_through_a_nat_in_prod_its_own(stack):
    zones = [s.inputs["availabilityZone"] for s in subnets(stack, "app")]
    nat_ids = set()
    for zone in zones:
        (route,) = routes_of(stack, f"app-{zone}")
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        nat_ids.add(route.inputs["natGatewayId"])
    assert all(n.startswith("nat-") for n in nat_ids)
    assert len(nat_ids) == (len(zones) if stack.stack == "prod" else 1)


def test_data_tier_has_no_route_out_of_the_vpc(stack):
    assert routes_of(stack, "data") == []
    data_table = stack.named(f"{stack.stack}-network-data-rt")
    associations = [
        r
        for r in stack.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if data_table.urn in r.dependencies
    ]
    assert len(associations) == len(subnets(stack, "data"))


def test_s3_gateway_endpoint_serves_the_app_tier_with_aws_owned_buckets_only(stack):
    (endpoint,) = stack.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    app_tables = {t.id for t in stack.of_type("aws:ec2/routeTable:RouteTable") if "-app-" in t.name}
    assert set(endpoint.inputs["routeTableIds"]) == app_tables  # the data tier: no route to S3 at all
    assert len(app_tables) == len(subnets(stack, "app"))
    (statement,) = json.loads(endpoint.inputs["policy"])["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Allow", "s3:GetObject")
    assert set(statement["Resource"]) == {
        "arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*",  # dnf on AL2023
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*",  # ECR image layers
        "arn:aws:s3:::aws-ssm-us-east-1/*",
        "arn:aws:s3:::amazon-ssm-us-east-1/*",
        "arn:aws:s3:::amazon-ssm-packages-us-east-1/*",
        "arn:aws:s3:::us-east-1-birdwatcher-prod/*",
        "arn:aws:s3:::aws-ssm-distributor-file-us-east-1/*",
        "arn:aws:s3:::aws-ssm-document-attachments-us-east-1/*",
        "arn:aws:s3:::patch-baseline-snapshot-us-east-1/*",
    }


def test_flow_logs_capture_all_traffic_into_an_encrypted_log_group(stack):
    (flow_log,) = stack.of_type("aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    group = next(
        g
        for g in stack.of_type("aws:cloudwatch/logGroup:LogGroup")
        if g.outputs["arn"] == flow_log.inputs["logDestination"]
    )
    logs_key = stack.named(f"{stack.stack}-keys-logs")
    assert group.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert group.inputs["retentionInDays"] == (365 if stack.stack == "prod" else 30)


def test_flow_log_role_is_assumable_only_by_flow_logs_and_writes_only_its_group(stack):
    import json

    role = stack.named(f"{stack.stack}-network-flow-log-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "vpc-flow-logs.amazonaws.com"}]
    policy = json.loads(stack.named(f"{stack.stack}-network-flow-log-policy").inputs["policy"])
    (statement,) = policy["Statement"]
    assert all(r.startswith("arn:aws:logs:") for r in statement["Resource"])


def test_default_security_group_has_no_rules(stack):
    (sg,) = stack.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg.inputs.get("ingress", []) == [] and sg.inputs.get("egress", []) == []
