"""Network ACL policies: no public source reaches SSH/RDP, judged in rule-number order."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

WEB = {
    "protocol": "tcp",
    "rule_no": 100,
    "action": "allow",
    "cidr_block": "0.0.0.0/0",
    "from_port": 443,
    "to_port": 443,
}
ALL = {"protocol": "-1", "rule_no": 200, "action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 0, "to_port": 0}


def _acl(*ingress):
    return lambda: aws.ec2.NetworkAcl("public", vpc_id="vpc-1", ingress=list(ingress))


def _with_rules(*rules):
    def program():
        acl = aws.ec2.NetworkAcl("public", vpc_id="vpc-1")
        for index, rule in enumerate(rules):
            aws.ec2.NetworkAclRule(f"rule-{index}", network_acl_id=acl.id, egress=False, **rule)

    return program


def _rule(number: int, action: str, cidr: str, low: int = 0, high: int = 0, protocol: str = "-1", **extra) -> dict:
    return dict(rule_number=number, rule_action=action, protocol=protocol, from_port=low, to_port=high, **extra) | (
        {"ipv6_cidr_block": cidr} if ":" in cidr else {"cidr_block": cidr}
    )


DENY_SSH = {
    "protocol": "tcp",
    "rule_no": 50,
    "action": "deny",
    "cidr_block": "0.0.0.0/0",
    "from_port": 22,
    "to_port": 22,
}
DENY_RDP = {**DENY_SSH, "rule_no": 60, "from_port": 3389, "to_port": 3389}
CASES = [
    Case("ec2-networkacl-no-admin-ports-from-internet", _acl(WEB, ALL), _acl(WEB), "allows 0.0.0.0/0 to reach port 22"),
    # A lower-numbered deny shadows the allow-all, as AWS evaluates entries in order.
    Case(
        "ec2-networkacl-no-admin-ports-from-internet", _acl(WEB, ALL), _acl(WEB, ALL, DENY_SSH, DENY_RDP), "port 3389"
    ),
    Case(
        "ec2-networkacl-no-admin-ports-from-internet",
        _with_rules(_rule(100, "allow", "::/0"), _rule(110, "allow", "0.0.0.0/1", 22, 22, "tcp")),
        _with_rules(_rule(100, "allow", "10.0.0.0/16"), _rule(110, "allow", "0.0.0.0/0", 443, 443, "tcp")),
        "::/0",
    ),
    Case(
        "ec2-networkacl-no-admin-ports-from-internet",
        lambda: aws.ec2.DefaultNetworkAcl("default", default_network_acl_id="acl-1", ingress=[ALL]),
        lambda: aws.ec2.DefaultNetworkAcl("default", default_network_acl_id="acl-1", ingress=[WEB]),
        "network ACL 'default' rule 200",
    ),
    Case(
        "ec2-networkacl-no-admin-ports-from-internet",
        _with_rules(_rule(110, "allow", "128.0.0.0/1", 20, 30, "6")),
        _with_rules(_rule(100, "deny", "0.0.0.0/0", 22, 22, "tcp"), _rule(110, "allow", "128.0.0.0/1", 20, 30, "6")),
        "128.0.0.0/1 to reach port 22",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_egress_and_icmp_entries_open_no_admin_port(pack):
    program = _with_rules(
        _rule(100, "allow", "0.0.0.0/0", protocol="icmp", icmp_type=-1, icmp_code=-1),
    )
    egress = lambda: aws.ec2.NetworkAcl("public", vpc_id="vpc-1", egress=[ALL])  # noqa: E731
    assert pack.violations("ec2-networkacl-no-admin-ports-from-internet", program) == []
    assert pack.violations("ec2-networkacl-no-admin-ports-from-internet", egress) == []
