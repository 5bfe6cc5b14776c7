"""Security groups: each tier admits only the tier in front of it (NET-7, HOST-1, DB-4)."""

from __future__ import annotations

import pytest

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
OPEN = {"0.0.0.0/0", "::/0"}


def group_id(graph, tier):
    return graph.named(f"{graph.stack}-sg-{tier}").id


def ingress_to(graph, tier):
    return [r.inputs for r in graph.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id(graph, tier)]


def test_no_security_group_admits_the_internet_or_ssh(stack):
    for rule in stack.of_type(INGRESS):
        assert rule.inputs.get("cidrIpv4") not in OPEN and rule.inputs.get("cidrIpv6") not in OPEN, rule.name
        assert not rule.inputs["fromPort"] <= 22 <= rule.inputs["toPort"], rule.name
    for group in stack.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress"), group.name


def test_load_balancer_admits_only_https_from_cloudfront(stack):
    (rule,) = ingress_to(stack, "alb")
    assert (rule["fromPort"], rule["toPort"]) == (443, 443)
    assert rule["prefixListId"] == "pl-3b927c52"  # CloudFront origin-facing, us-east-1


def test_app_tier_admits_only_the_load_balancer_on_the_app_port(stack):
    (rule,) = ingress_to(stack, "app")
    assert rule["referencedSecurityGroupId"] == group_id(stack, "alb")
    assert (rule["fromPort"], rule["toPort"]) == (3000, 3000)


@pytest.mark.parametrize(("store", "port"), [("postgres", 5432), ("docdb", 27017), ("redis", 6379)])
def test_data_stores_admit_only_the_app_tier_on_their_port(stack, store, port):
    (rule,) = ingress_to(stack, store)
    assert rule["referencedSecurityGroupId"] == group_id(stack, "app")
    assert (rule["fromPort"], rule["toPort"]) == (port, port)


def test_only_the_app_tier_reaches_out_and_only_over_https(stack):
    open_egress = [
        r for r in stack.of_type(EGRESS) if r.inputs.get("cidrIpv4") in OPEN or r.inputs.get("cidrIpv6") in OPEN
    ]
    assert [(r.inputs["securityGroupId"], r.inputs["fromPort"], r.inputs["toPort"]) for r in open_egress] == [
        (group_id(stack, "app"), 443, 443)
    ]


def _tier_of(graph):
    return {graph.named(f"{graph.stack}-sg-{t}").id: t for t in ("alb", "app", "postgres", "docdb", "redis")}


def test_every_egress_rule_but_the_https_one_names_the_group_it_reaches(stack):
    """NET-7: the exact set of paths out of each group. Only the app tier's HTTPS to AWS APIs and
    third parties leaves by address; every other rule references a security group."""
    tier = _tier_of(stack)
    by_group, by_address = set(), []
    for rule in stack.of_type(EGRESS):
        inputs = rule.inputs
        if "referencedSecurityGroupId" in inputs:
            assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(inputs), rule.name
            path = (tier[inputs["securityGroupId"]], inputs["fromPort"], inputs["toPort"])
            by_group.add((*path, tier[inputs["referencedSecurityGroupId"]]))
        else:
            by_address.append((tier[inputs["securityGroupId"]], inputs["fromPort"], inputs["toPort"], inputs))
    assert by_group == {
        ("alb", 3000, 3000, "app"),
        ("app", 5432, 5432, "postgres"),
        ("app", 27017, 27017, "docdb"),
        ("app", 6379, 6379, "redis"),
    }
    [(group, from_port, to_port, inputs)] = by_address
    assert (group, from_port, to_port, inputs["ipProtocol"]) == ("app", 443, 443, "tcp")
    assert inputs["cidrIpv4"] == "0.0.0.0/0" and "cidrIpv6" not in inputs


def test_every_ingress_rule_names_its_source_group_or_cloudfront(stack):
    tier = _tier_of(stack)
    sources = set()
    for rule in stack.of_type(INGRESS):
        inputs = rule.inputs
        source = tier.get(inputs.get("referencedSecurityGroupId"), inputs.get("prefixListId"))
        assert not {"cidrIpv4", "cidrIpv6"} & set(inputs), rule.name
        sources.add((tier[inputs["securityGroupId"]], inputs["fromPort"], inputs["toPort"], source))
    assert sources == {
        ("alb", 443, 443, "pl-3b927c52"),
        ("app", 3000, 3000, "alb"),
        ("postgres", 5432, 5432, "app"),
        ("docdb", 27017, 27017, "app"),
        ("redis", 6379, 6379, "app"),
    }
