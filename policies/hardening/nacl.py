"""Network ACL policies: no ACL lets the internet reach remote-administration ports.

Entries come inline (`ec2.NetworkAcl(ingress=[...])`, `ec2.DefaultNetworkAcl(ingress=[...])`) or as
separate `ec2.NetworkAclRule` resources; AWS evaluates an ACL's entries in rule-number order and
the first match decides, so a lower-numbered deny shadows a later allow.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass

from pulumi_policy import PolicyResource

from . import _types as t
from ._helpers import flag, get, items, known, number, text
from ._links import by_keys, targets_of
from ._policy import HIGH, Stack, stack_policy

_ALL = {"-1", "all"}
_PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17"}


@dataclass(frozen=True)
class Entry:
    number: int
    allow: bool
    protocol: str
    from_port: int
    to_port: int
    cidr: str

    def admits(self, port: int) -> bool:
        """Whether this entry matches TCP traffic from the internet to `port`."""
        if self.protocol not in _ALL and _PROTOCOL_NUMBERS.get(self.protocol, self.protocol) != "6":
            return False
        if self.protocol not in _ALL and not self.from_port <= port <= self.to_port:
            return False
        try:
            network = ipaddress.ip_network(self.cidr, strict=False)
        except ValueError:
            return False
        # Public sources, however split (0.0.0.0/1 + 128.0.0.0/1), not only /0; HOST-1 allows no SSH at all.
        return not network.is_private


def _entry(props, number_key: str, allow_key: str) -> list[Entry]:
    action = text(get(props, allow_key)).lower()
    rule = number(get(props, number_key))
    low, high = number(get(props, "fromPort")), number(get(props, "toPort"))
    cidrs = [c for c in (text(get(props, "cidrBlock")), text(get(props, "ipv6CidrBlock"))) if c]
    return [
        Entry(int(rule or 0), action == "allow", text(get(props, "protocol")).lower(), int(low or 0), int(high or 0), c)
        for c in cidrs
    ]


def _admin_ports(stack: Stack, cfg):
    acls = stack.of(t.NETWORK_ACL)
    index = by_keys(acls)
    entries: dict[str, list[Entry]] = defaultdict(list)
    for acl in acls:
        for props in items(get(acl.props, "ingress")):
            entries[acl.urn] += _entry(props, "ruleNo", "action")
    standalone: list[tuple[PolicyResource, list[Entry]]] = []
    for rule in stack.of(t.NETWORK_ACL_RULE):
        if known(flag, get(rule.props, "egress")):
            continue
        parsed = _entry(rule.props, "ruleNumber", "ruleAction")
        owners = targets_of(rule, "networkAclId", index)
        if owners:
            entries[owners[0].urn] += parsed
        else:
            standalone.append((rule, parsed))
    named = {acl.urn: acl for acl in acls}
    for urn, acl_entries in entries.items():
        yield from _findings(f"network ACL '{named[urn].name}'", urn, acl_entries, cfg)
    # A rule on an ACL the program does not declare: judged alone (the ACL's other entries are unknown).
    for rule, parsed in standalone:
        yield from _findings(f"network ACL rule '{rule.name}'", rule.urn, parsed, cfg)


def _findings(where: str, urn: str, entries: list[Entry], cfg):
    ordered = sorted(entries, key=lambda e: e.number)
    for port in cfg["forbiddenPorts"]:
        first = next((e for e in ordered if e.admits(int(port))), None)
        if first is not None and first.allow:
            yield f"{where} rule {first.number} allows {first.cidr} to reach port {port}", urn


POLICIES = [
    stack_policy(
        "ec2-networkacl-no-admin-ports-from-internet",
        description="No network ACL lets public addresses (0.0.0.0/0, ::/0, split ranges such as 0.0.0.0/1, or "
        "any non-private range) reach SSH or RDP; operators use SSM Session Manager.",
        severity=HIGH,
        checklist=("NET-7", "HOST-1"),
        remediation="Put a lower-numbered deny before any broad allow, e.g. aws.ec2.NetworkAclRule("
        "network_acl_id=acl.id, rule_number=50, egress=False, protocol='tcp', rule_action='deny', "
        "cidr_block='0.0.0.0/0', from_port=22, to_port=22) (and 3389, and ipv6_cidr_block='::/0'), or allow "
        "only ports 80/443 from the internet in aws.ec2.NetworkAcl(vpc_id=vpc.id, ingress=[...]).",
        check=_admin_ports,
        config={"forbiddenPorts": {"type": "array", "items": {"type": "integer"}, "default": [22, 3389]}},
    ),
]
