"""Network policies: security groups, default security group, subnets, flow logs, data-tier routes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from . import _types as t
from ._helpers import flag, get, items, known, number, strings, text
from ._policy import ADVISORY, HIGH, LOW, MEDIUM, Stack, resource_policy, stack_policy

_ALL_PROTOCOLS = {"-1", "all"}
# ICMP rules carry an ICMP type and code in from_port/to_port (-1 meaning all), not ports.
_ICMP_PROTOCOLS = {"icmp", "1", "icmpv6", "58"}


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, whichever resource declared it."""

    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    from_groups: bool
    description: str
    prefix_lists: tuple[str, ...] = ()
    icmp: bool = False

    def covers(self, port: int) -> bool:
        return not self.icmp and self.from_port <= port <= self.to_port

    @property
    def public_cidrs(self) -> list[str]:
        return [c for c in self.cidrs if is_internet(c)]

    def ports_outside(self, allowed: list[int]) -> bool:
        return not self.icmp and any(p not in allowed for p in range(self.from_port, self.to_port + 1))

    def label(self) -> str:
        if self.icmp:
            return "ICMP"
        if (self.from_port, self.to_port) == (0, 65535):
            return "all ports"
        if self.to_port != self.from_port:
            return f"ports {self.from_port}-{self.to_port}"
        return f"port {self.from_port}"


def is_internet(cidr: str) -> bool:
    """Whether a CIDR opens the rule to the internet at large: 0.0.0.0/0 or ::/0, or any public
    block at least a /8 (IPv6: /16), so 0.0.0.0/1 + 128.0.0.0/1 counts like 0.0.0.0/0."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    widest = 8 if network.version == 4 else 16
    return network.prefixlen == 0 or (network.prefixlen <= widest and not network.is_private)


def _ingress(protocol: str, from_port, to_port, cidrs: list[str], groups: bool, description, prefix_lists) -> Ingress:
    common = {"cidrs": tuple(cidrs), "from_groups": groups, "description": text(description)}
    common["prefix_lists"] = tuple(prefix_lists)
    if protocol.lower() in _ALL_PROTOCOLS:
        return Ingress(0, 65535, **common)
    if protocol.lower() in _ICMP_PROTOCOLS:
        return Ingress(-1, -1, icmp=True, **common)
    low, high = number(from_port), number(to_port)
    low = 0 if low is None or low < 0 else int(low)
    high = 65535 if high is None or high < 0 else int(high)
    return Ingress(low, high, **common)


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
                strings(get(rule, "prefixListIds")),
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
                strings(get(props, "prefixListIds")),
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
            strings(get(props, "prefixListId")),
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
            # A managed prefix list is a set of CIDR ranges too.
            stray = [c for c in rule.cidrs if c not in allowed] + [f"prefix list {p}" for p in rule.prefix_lists]
            if rule.covers(int(port)) and stray:
                yield (
                    f"data-store port {port} is reachable from CIDR {', '.join(stray)}; "
                    "allow it only from the application tier's security group"
                )


def _described(args, _cfg):
    for rule in ingress_rules(args):
        if not rule.description.strip():
            yield f"ingress rule for {rule.label()} has no description"


_RULE_RESOURCES = t.SECURITY_GROUP_RULE + t.INGRESS_RULE + t.EGRESS_RULE


def _default_sg_rules(stack: Stack, _cfg):
    for group in stack.of(t.DEFAULT_SECURITY_GROUP):
        for direction in ("ingress", "egress"):
            if items(known(get, group.props, direction)):
                yield f"default security group '{group.name}' declares {direction} rules; it must have none", group.urn
    # Separate rule resources: on an adopted default group, or on `vpc.default_security_group_id`.
    default_ids = {text(known(get, v.props, "defaultSecurityGroupId")): v for v in stack.of(t.VPC)}
    for rule in stack.of(_RULE_RESOURCES):
        group_id = known(get, rule.props, "securityGroupId")
        owners = stack.referenced(rule, t.DEFAULT_SECURITY_GROUP + t.VPC, "securityGroupId")
        owner = owners[0] if owners else default_ids.get(text(group_id)) if group_id else None
        if owner is not None:
            yield (
                f"rule '{rule.name}' adds a rule to the default security group of '{owner.name}'; it must have none",
                rule.urn,
            )


def _subnet_public_ip(args, _cfg):
    if flag(get(args.props, "mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch is true: every instance launched here gets a public IP"


def _flow_log_traffic(args, _cfg):
    traffic = text(get(args.props, "trafficType"))
    if traffic != "ALL":
        yield f"trafficType is {traffic or 'unset'}; capture ALL traffic (accepted and rejected)"


def _vpc_flow_logs(stack: Stack, _cfg):
    for vpc in stack.of(t.VPC):
        if stack.referrers(t.FLOW_LOG, vpc, "vpcId"):
            continue
        # Flow logs on every one of its subnets record the same traffic.
        subnets = stack.referrers(t.SUBNET, vpc, "vpcId")
        unlogged = [s.name for s in subnets if not stack.referrers(t.FLOW_LOG, s, "subnetId")]
        if not subnets:
            yield f"VPC '{vpc.name}' has no flow log", vpc.urn
        elif unlogged:
            yield f"VPC '{vpc.name}' has no flow log, and subnets {', '.join(unlogged)} have none either", vpc.urn


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
_TABLES = t.ROUTE_TABLE + t.DEFAULT_ROUTE_TABLE


def _via_internet(stack: Stack, owner, route) -> bool:
    if get(route, "natGatewayId") or get(route, "egressOnlyGatewayId"):
        return True
    gateway = text(get(route, "gatewayId"))
    # `gatewayId` also takes virtual private gateways (vgw-…): only internet gateways count.
    if not gateway:
        return False
    if gateway.startswith("igw-") or stack.identified(gateway, t.INTERNET_GATEWAY):
        return True
    return owner.resource_type in t.ROUTE and bool(stack.referenced(owner, t.INTERNET_GATEWAY, "gatewayId"))


def _internet_routes(stack: Stack, table) -> list[str]:
    """Destinations `table` sends to an internet or NAT gateway: any destination, since a route
    to 0.0.0.0/1, a public range or a prefix list reaches the internet as well as 0.0.0.0/0."""
    routes = [(r, r.props) for r in stack.referrers(t.ROUTE, table, "routeTableId")]
    routes += [(table, route) for route in items(known(get, table.props, "routes"))]
    found = []
    for owner, route in routes:
        destination = known(_destination, route, default="(unknown destination)")
        if known(_via_internet, stack, owner, route, default=False):
            found.append(destination or "(unset destination)")
    return found


def _destination(route) -> str:
    return next(
        (
            text(get(route, key))
            for key in (
                "cidrBlock",
                "destinationCidrBlock",
                "ipv6CidrBlock",
                "destinationIpv6CidrBlock",
                "destinationPrefixListId",
            )
            if get(route, key)
        ),
        "",
    )


def _route_tables(stack: Stack, subnet) -> list:
    """The route tables a subnet uses: its explicit association, else its VPC's main table (a
    MainRouteTableAssociation, the adopted DefaultRouteTable, or routes on main_route_table_id)."""
    explicit = [
        table
        for assoc in stack.referrers(t.ROUTE_TABLE_ASSOCIATION, subnet, "subnetId")
        for table in stack.referenced(assoc, _TABLES + t.VPC, "routeTableId")
    ]
    if explicit or stack.referrers(t.ROUTE_TABLE_ASSOCIATION, subnet, "subnetId"):
        return explicit
    tables = []
    for vpc in stack.referenced(subnet, t.VPC, "vpcId"):
        mains = stack.referrers(t.MAIN_ROUTE_TABLE_ASSOCIATION, vpc, "vpcId")
        tables += [table for main in mains for table in stack.referenced(main, _TABLES, "routeTableId")]
        tables += stack.referrers(t.DEFAULT_ROUTE_TABLE, vpc, "defaultRouteTableId")
        tables.append(vpc)  # routes whose route_table_id is vpc.main_route_table_id
    return tables


def _data_tier_routes(stack: Stack, _cfg):
    for group in stack.of(_SUBNET_GROUPS):
        for subnet in stack.referenced(group, t.SUBNET, "subnetIds"):
            for table in _route_tables(stack, subnet):
                where = "its VPC's main route table" if table.resource_type in t.VPC else f"route table '{table.name}'"
                for destination in _internet_routes(stack, table):
                    yield (
                        f"subnet '{subnet.name}' of data-tier subnet group '{group.name}' routes "
                        f"{destination} to the internet through {where}",
                        group.urn,
                    )


POLICIES = [
    resource_policy(
        "ec2-securitygroup-public-ingress-web-only",
        types=_SG_TYPES,
        description="Only the web ports (80/443) may be open to the internet (0.0.0.0/0, ::/0, or public blocks "
        "as wide as a /8, such as 0.0.0.0/1 + 128.0.0.0/1); everything else is reached from inside the VPC.",
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
        "tier), never from CIDR ranges or managed prefix lists.",
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
    stack_policy(
        "ec2-defaultsecuritygroup-no-rules",
        description="The VPC's default security group has no rules, inline or as separate rule resources, so "
        "nothing attached to it by accident can talk to anything.",
        severity=MEDIUM,
        checklist=("NET-7",),
        remediation="Declare aws.ec2.DefaultSecurityGroup(vpc_id=...) with no ingress and no egress arguments, and "
        "attach no aws.ec2.SecurityGroupRule / aws.vpc.SecurityGroupIngressRule / SecurityGroupEgressRule to it.",
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
        "group ARN>, iam_role_arn=...) (or one with subnet_id on every subnet).",
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
        description="Subnets in database and cache subnet groups have no route to an internet or NAT gateway, in "
        "their own route table or the VPC's main one: the data tier cannot reach, or be reached from, the internet.",
        severity=HIGH,
        checklist=("NET-5",),
        remediation="Associate the data subnets with a route table that has only the VPC-local route (and VPC "
        "endpoints).",
        check=_data_tier_routes,
    ),
]
