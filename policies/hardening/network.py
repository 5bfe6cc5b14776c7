"""Network policies: security groups, default security group, subnets, flow logs, data-tier routes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from . import _types as t
from ._helpers import flag, get, items, number, strings, text
from ._policy import ADVISORY, HIGH, LOW, MEDIUM, Stack, identifiers, resource_policy, stack_policy

_ALL_PROTOCOLS = {"-1", "all"}


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, whichever resource declared it."""

    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    from_groups: bool
    description: str

    def covers(self, port: int) -> bool:
        return self.from_port <= port <= self.to_port

    @property
    def public_cidrs(self) -> list[str]:
        return [c for c in self.cidrs if _is_anywhere(c)]

    def ports_outside(self, allowed: list[int]) -> bool:
        return any(p not in allowed for p in range(self.from_port, self.to_port + 1))

    def label(self) -> str:
        ports = "all ports" if (self.from_port, self.to_port) == (0, 65535) else f"port {self.from_port}"
        if self.to_port != self.from_port and (self.from_port, self.to_port) != (0, 65535):
            ports = f"ports {self.from_port}-{self.to_port}"
        return ports


def _is_anywhere(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def _ingress(protocol: str, from_port, to_port, cidrs: list[str], groups: bool, description) -> Ingress:
    if protocol.lower() in _ALL_PROTOCOLS:
        return Ingress(0, 65535, tuple(cidrs), groups, text(description))
    low, high = number(from_port), number(to_port)
    low = 0 if low is None or low < 0 else int(low)
    high = 65535 if high is None or high < 0 else int(high)
    return Ingress(low, high, tuple(cidrs), groups, text(description))


def ingress_rules(args) -> list[Ingress]:
    """Ingress permissions of a security group, a SecurityGroupRule or a SecurityGroupIngressRule."""
    props = args.props
    if args.resource_type in t.SECURITY_GROUP:
        return [
            _ingress(
                text(get(rule, "protocol")),
                get(rule, "fromPort"),
                get(rule, "toPort"),
                strings(get(rule, "cidrBlocks")) + strings(get(rule, "ipv6CidrBlocks")),
                bool(strings(get(rule, "securityGroups"))) or flag(get(rule, "self")),
                get(rule, "description"),
            )
            for rule in items(get(props, "ingress"))
        ]
    if args.resource_type in t.SECURITY_GROUP_RULE:
        if text(get(props, "type")) != "ingress":
            return []
        return [
            _ingress(
                text(get(props, "protocol")),
                get(props, "fromPort"),
                get(props, "toPort"),
                strings(get(props, "cidrBlocks")) + strings(get(props, "ipv6CidrBlocks")),
                bool(get(props, "sourceSecurityGroupId")) or flag(get(props, "self")),
                get(props, "description"),
            )
        ]
    return [
        _ingress(
            text(get(props, "ipProtocol")),
            get(props, "fromPort"),
            get(props, "toPort"),
            strings(get(props, "cidrIpv4")) + strings(get(props, "cidrIpv6")),
            bool(get(props, "referencedSecurityGroupId")),
            get(props, "description"),
        )
    ]


_SG_TYPES = t.SECURITY_GROUP + t.SECURITY_GROUP_RULE + t.INGRESS_RULE


def _public_ingress(args, cfg):
    allowed = [int(p) for p in cfg["allowedPorts"]]
    for rule in ingress_rules(args):
        if rule.public_cidrs and rule.ports_outside(allowed):
            yield (
                f"ingress from {', '.join(rule.public_cidrs)} to {rule.label()} is open to the internet; "
                f"only ports {allowed} may be"
            )


def _admin_ingress(args, cfg):
    for rule in ingress_rules(args):
        for port in cfg["forbiddenPorts"]:
            if rule.covers(int(port)):
                yield f"ingress allows {rule.label()}, which includes remote-administration port {port}"


def _datastore_ingress(args, cfg):
    allowed = set(cfg["allowedCidrs"])
    for rule in ingress_rules(args):
        for port in cfg["dataStorePorts"]:
            stray = [c for c in rule.cidrs if c not in allowed]
            if rule.covers(int(port)) and stray:
                yield (
                    f"data-store port {port} is reachable from CIDR {', '.join(stray)}; "
                    "allow it only from the application tier's security group"
                )


def _described(args, _cfg):
    for rule in ingress_rules(args):
        if not rule.description.strip():
            yield f"ingress rule for {rule.label()} has no description"


def _default_sg_rules(args, _cfg):
    for direction in ("ingress", "egress"):
        if items(get(args.props, direction)):
            yield f"the default security group declares {direction} rules; it must have none"


def _subnet_public_ip(args, _cfg):
    if flag(get(args.props, "mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch is true: every instance launched here gets a public IP"


def _flow_log_traffic(args, _cfg):
    traffic = text(get(args.props, "trafficType"))
    if traffic != "ALL":
        yield f"trafficType is {traffic or 'unset'}; capture ALL traffic (accepted and rejected)"


def _vpc_flow_logs(stack: Stack, _cfg):
    for vpc in stack.of(t.VPC):
        if not stack.referrers(t.FLOW_LOG, vpc, "vpcId"):
            yield f"VPC '{vpc.name}' has no flow log", vpc.urn


def _vpc_default_sg(stack: Stack, _cfg):
    for vpc in stack.of(t.VPC):
        if not stack.referrers(t.DEFAULT_SECURITY_GROUP, vpc, "vpcId"):
            yield (
                f"VPC '{vpc.name}' does not adopt its default security group (aws.ec2.DefaultSecurityGroup), "
                "so its allow-all rules stay in place",
                vpc.urn,
            )


_SUBNET_GROUPS = (
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:docdb/subnetGroup:SubnetGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
)
_DEFAULT_ROUTES = {"0.0.0.0/0", "::/0"}


def _via_internet(stack: Stack, owner, route) -> bool:
    if get(route, "natGatewayId") or get(route, "egressOnlyGatewayId"):
        return True
    gateway = text(get(route, "gatewayId"))
    # `gatewayId` also takes virtual private gateways (vgw-…): only internet gateways count.
    if not gateway:
        return False
    if gateway.startswith("igw-"):
        return True
    igws = stack.of(t.INTERNET_GATEWAY)
    return any(gateway in identifiers(igw) for igw in igws) or (
        owner.resource_type in t.ROUTE and any(stack.refers(owner, igw, "gatewayId") for igw in igws)
    )


def _internet_routes(stack: Stack, table) -> list[str]:
    routes = [(r, r.props) for r in stack.referrers(t.ROUTE, table, "routeTableId")]
    routes += [(table, route) for route in items(get(table.props, "routes"))]
    found = []
    for owner, route in routes:
        destination = text(get(route, "cidrBlock") or get(route, "destinationCidrBlock")) or text(
            get(route, "ipv6CidrBlock") or get(route, "destinationIpv6CidrBlock")
        )
        if destination in _DEFAULT_ROUTES and _via_internet(stack, owner, route):
            found.append(destination)
    return found


def _data_tier_routes(stack: Stack, _cfg):
    for group in stack.of(_SUBNET_GROUPS):
        for subnet in stack.referenced(group, t.SUBNET, "subnetIds"):
            for assoc in stack.referrers(t.ROUTE_TABLE_ASSOCIATION, subnet, "subnetId"):
                for table in stack.referenced(assoc, t.ROUTE_TABLE, "routeTableId"):
                    for destination in _internet_routes(stack, table):
                        yield (
                            f"subnet '{subnet.name}' of data-tier subnet group '{group.name}' routes "
                            f"{destination} to the internet through route table '{table.name}'",
                            group.urn,
                        )


POLICIES = [
    resource_policy(
        "ec2-securitygroup-public-ingress-web-only",
        types=_SG_TYPES,
        description="Only the web ports (80/443) may be open to 0.0.0.0/0 or ::/0; everything else is reached "
        "from inside the VPC.",
        severity=HIGH,
        checklist=("NET-7",),
        remediation="Restrict the rule's cidr_blocks/ipv6_cidr_blocks (or cidr_ipv4/cidr_ipv6) to a known "
        "range, or reference the source security group instead.",
        check=_public_ingress,
        config={"allowedPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443]}},
    ),
    resource_policy(
        "ec2-securitygroup-no-ssh-ingress",
        types=_SG_TYPES,
        description="No ingress to SSH (22) or RDP (3389) from anywhere: operators use SSM Session Manager.",
        severity=HIGH,
        checklist=("HOST-1", "NET-7"),
        remediation="Delete the rule; grant the instance role AmazonSSMManagedInstanceCore and use "
        "`aws ssm start-session` instead.",
        check=_admin_ingress,
        config={"forbiddenPorts": {"type": "array", "items": {"type": "integer"}, "default": [22, 3389]}},
    ),
    resource_policy(
        "ec2-securitygroup-datastore-ports-from-groups",
        types=_SG_TYPES,
        description="Database and cache ports accept connections only from security groups (the application "
        "tier), never from CIDR ranges.",
        severity=HIGH,
        checklist=("NET-7", "DB-4"),
        remediation="Replace cidr_blocks with source_security_group_id / referenced_security_group_id (or "
        "security_groups on inline rules) naming the application tier's group.",
        check=_datastore_ingress,
        config={
            "dataStorePorts": {
                "type": "array",
                "items": {"type": "integer"},
                "default": [1433, 3306, 5432, 6379, 11211, 27017],
            },
            "allowedCidrs": {"type": "array", "items": {"type": "string"}, "default": []},
        },
    ),
    resource_policy(
        "ec2-securitygroup-rule-descriptions",
        types=_SG_TYPES,
        description="Every ingress rule says why it exists, so reviewers can tell a needed rule from a stray one.",
        severity=LOW,
        checklist=("NET-7",),
        remediation="Set `description` on the rule.",
        check=_described,
        enforcement=ADVISORY,
    ),
    resource_policy(
        "ec2-defaultsecuritygroup-no-rules",
        types=t.DEFAULT_SECURITY_GROUP,
        description="The VPC's default security group has no rules, so nothing attached to it by accident "
        "can talk to anything.",
        severity=MEDIUM,
        checklist=("NET-7",),
        remediation="Declare aws.ec2.DefaultSecurityGroup(vpc_id=...) with no ingress and no egress arguments.",
        check=_default_sg_rules,
    ),
    stack_policy(
        "ec2-vpc-default-security-group-adopted",
        description="Every VPC adopts its default security group with an aws.ec2.DefaultSecurityGroup that "
        "removes AWS's allow-all rules.",
        severity=MEDIUM,
        checklist=("NET-7",),
        remediation="Add aws.ec2.DefaultSecurityGroup(f'{name}-default-sg', vpc_id=vpc.id) with no rules.",
        check=_vpc_default_sg,
    ),
    resource_policy(
        "ec2-subnet-no-auto-public-ip",
        types=t.SUBNET,
        description="Subnets do not give instances public IPs automatically; load balancers and NAT gateways "
        "get their addresses without it.",
        severity=MEDIUM,
        checklist=("HOST-4", "NET-5"),
        remediation="Remove map_public_ip_on_launch (or set it to False).",
        check=_subnet_public_ip,
    ),
    stack_policy(
        "ec2-vpc-flow-logs-enabled",
        description="Every VPC records flow logs.",
        severity=MEDIUM,
        checklist=("NET-6",),
        remediation="Add aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type='ALL', log_destination=<encrypted log "
        "group ARN>, iam_role_arn=...).",
        check=_vpc_flow_logs,
    ),
    resource_policy(
        "ec2-flowlog-all-traffic",
        types=t.FLOW_LOG,
        description="Flow logs capture accepted and rejected traffic.",
        severity=LOW,
        checklist=("NET-6",),
        remediation="Set traffic_type='ALL'.",
        check=_flow_log_traffic,
    ),
    stack_policy(
        "ec2-datastore-subnets-no-internet-route",
        description="Subnets in database and cache subnet groups have no default route to an internet or NAT "
        "gateway: the data tier cannot reach, or be reached from, the internet.",
        severity=HIGH,
        checklist=("NET-5",),
        remediation="Associate the data subnets with a route table that has only the VPC-local route (and VPC "
        "endpoints).",
        check=_data_tier_routes,
    ),
]
