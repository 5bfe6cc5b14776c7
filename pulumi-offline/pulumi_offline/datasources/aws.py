"""Placeholder answers for common AWS look-ups, consistent with the calling provider's region and
account: the same VPC id from `getVpc` and `getSubnets`, zone names of the region, ARNs in its
partition. Values that are public facts (ELB and CloudTrail service accounts, the default VPC's
CIDR) are the real ones; everything an account owns is a placeholder: well-formed, stable
across runs, obviously not a real look-up (ids derived from a digest of the question).

Each answerer takes the invoke's wire-form (camelCase) arguments, the provider's region and
account, and returns the result object, or None when the question has no offline answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_REGION = "us-east-1"
ACCOUNT_PLACEHOLDER = "123456789012"

Answerer = Callable[[Mapping[str, Any], str, str], "dict[str, Any] | None"]

# Availability zones a new account sees, by region (AWS Regions and Zones,
# https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html;
# us-west-1 offers new accounts two of its three, ap-northeast-1 has no 1b for them). Zone ids
# are `<region code>-az<n>`; which name maps to which id differs per account, so ids here are
# placeholders. Regions not listed get a, b, c.
ZONE_LETTERS = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ab",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-south-1": "abc",
    "sa-east-1": "abc",
}

REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-north-1": "Europe (Stockholm)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "sa-east-1": "South America (Sao Paulo)",
}

# The account of Elastic Load Balancing's log delivery per region, for bucket policies
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy).
# Regions opened since ap-southeast-3 have none: their policies name the service principal
# logdelivery.elasticloadbalancing.amazonaws.com instead, and the look-up fails there.
ELB_ACCOUNTS = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-gov-east-1": "190560391635",
    "us-gov-west-1": "048591011584",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}

# CloudTrail's account per region, for bucket policies of trails written before the
# cloudtrail.amazonaws.com service principal
# (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-supported-regions.html).
CLOUDTRAIL_ACCOUNTS = {
    "af-south-1": "525921808201",
    "ap-east-1": "119688915426",
    "ap-northeast-1": "216624486486",
    "ap-northeast-2": "492519147666",
    "ap-northeast-3": "765225791966",
    "ap-south-1": "977081816279",
    "ap-south-2": "582488909970",
    "ap-southeast-1": "903692715234",
    "ap-southeast-2": "284668455005",
    "ap-southeast-3": "069019280451",
    "ap-southeast-4": "187074758985",
    "ca-central-1": "819402241893",
    "cn-north-1": "193415116832",
    "cn-northwest-1": "681348832753",
    "eu-central-1": "035351147821",
    "eu-central-2": "453052556044",
    "eu-north-1": "829690693026",
    "eu-south-1": "669305197877",
    "eu-south-2": "757211635381",
    "eu-west-1": "859597730677",
    "eu-west-2": "282025262664",
    "eu-west-3": "262312530599",
    "il-central-1": "683224464357",
    "me-central-1": "585772288577",
    "me-south-1": "034638983726",
    "sa-east-1": "814480443879",
    "us-east-1": "086441151436",
    "us-east-2": "475085895292",
    "us-gov-east-1": "608710470296",
    "us-gov-west-1": "608710470296",
    "us-west-1": "388731089494",
    "us-west-2": "113285607260",
}

# Partitions by region prefix: name, DNS suffix, reverse-DNS prefix
# (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
PARTITIONS = {
    "cn-": ("aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
    "us-gov-": ("aws-us-gov", "amazonaws.com", "com.amazonaws"),
    "us-isob-": ("aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s"),
    "us-iso-": ("aws-iso", "c2s.ic.gov", "gov.ic.c2s"),
}
COMMERCIAL = ("aws", "amazonaws.com", "com.amazonaws")

# A default VPC is 172.31.0.0/16 with one /20 default subnet per zone
# (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html).
DEFAULT_VPC_CIDR = "172.31.0.0/16"
# Owner aliases DescribeImages accepts besides account ids are self, amazon, aws-marketplace and
# aws-backup-vault (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html);
# Amazon Linux images, the usual target of `amazon`, are owned by 137112412989.
OWNER_ALIASES = {"amazon": "137112412989"}


def _digest(*parts: Any, length: int = 17) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:length]


def _partition(region: str) -> tuple[str, str, str]:
    return next((p for prefix, p in PARTITIONS.items() if region.startswith(prefix)), COMMERCIAL)


def partition_of(region: str) -> str:
    return _partition(region)[0]


def _region(args: Mapping[str, Any], region: str) -> str:
    """pulumi-aws 7 functions take their own `region`; it wins over the provider's."""
    return args.get("region") or region


def _filter_values(args: Mapping[str, Any], name: str) -> list[str]:
    return [v for f in args.get("filters") or [] if f.get("name") == name for v in f.get("values") or []]


def zone_names(region: str) -> list[str]:
    return [f"{region}{letter}" for letter in ZONE_LETTERS.get(region, "abc")]


def _zone_id(region: str, name: str) -> str:
    parts = region.split("-")
    code = parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]
    return f"{code}-az{ZONE_LETTERS.get(region, 'abc').index(name[-1]) + 1}"


def availability_zones(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    excluded_names, excluded_ids = set(args.get("excludeNames") or []), set(args.get("excludeZoneIds") or [])
    zones = [(n, _zone_id(region, n)) for n in zone_names(region)]
    zones = [(n, i) for n, i in zones if n not in excluded_names and i not in excluded_ids]
    return {
        **args,
        "id": region,
        "region": region,
        "names": [n for n, _ in zones],
        "zoneIds": [i for _, i in zones],
        "groupNames": [region] * len(zones),
    }


def caller_identity(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    partition = partition_of(region)
    return {
        "id": account,
        "accountId": account,
        "arn": f"arn:{partition}:sts::{account}:assumed-role/pulumi-offline-placeholder/preview",
        "userId": "AROAOFFLINEPLACEHOLDER:preview",
    }


def partition(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    name, dns_suffix, reverse = _partition(region)
    return {"id": name, "partition": name, "dnsSuffix": dns_suffix, "reverseDnsPrefix": reverse}


def region_info(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or region
    return {
        "id": region,
        "region": region,
        "name": region,
        "description": REGION_NAMES.get(region, region),
        "endpoint": f"ec2.{region}.{_partition(region)[1]}",
    }


def _service_account(accounts: Mapping[str, str]) -> Answerer:
    def answer(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any] | None:
        region = _region(args, region)
        if region not in accounts:
            return None
        owner = accounts[region]
        return {"id": owner, "region": region, "arn": f"arn:{partition_of(region)}:iam::{owner}:root"}

    return answer


def managed_prefix_list(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    name = args.get("name") or next(iter(_filter_values(args, "prefix-list-name")), "")
    list_id = args.get("id") or next(
        iter(_filter_values(args, "prefix-list-id")), f"pl-{_digest(region, name, length=8)}"
    )
    aws_managed = name.startswith("com.amazonaws.")
    owner = "AWS" if aws_managed or not name else account
    return {
        **args,
        "id": list_id,
        "name": name or f"offline-placeholder-{list_id}",
        "region": region,
        "arn": f"arn:{partition_of(region)}:ec2:{region}:{'aws' if owner == 'AWS' else account}:prefix-list/{list_id}",
        "addressFamily": "IPv6" if ".ipv6." in name else "IPv4",
        # CloudFront's origin-facing list counts 55 entries against a security group's rule quota
        # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html).
        "maxEntries": 55 if "cloudfront.origin-facing" in name else 10,
        "ownerId": owner,
        "version": 1,
        "entries": [],
        "tags": args.get("tags") or {},
    }


def _ami_id(region: str, *question: Any) -> str:
    return f"ami-{_digest(region, *question)}"


def ssm_parameter(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any] | None:
    """Public parameters AWS publishes under /aws/service/ that name AMIs (Amazon Linux, ECS,
    EKS, Bottlerocket, Ubuntu, Windows…); a parameter of the account's own has no answer."""
    region = _region(args, region)
    name = args.get("name") or ""
    if not name.startswith("/aws/service/"):
        return None
    image = _ami_id(region, name)
    if name.endswith("/recommended"):
        # ECS/EKS "recommended" parameters hold a JSON object with the image id among others.
        value = json.dumps({"image_id": image, "image_name": f"offline-placeholder-{image}", "schema_version": 1})
    elif any(marker in name for marker in ("ami", "image_id", "bottlerocket", "debian", "canonical")):
        value = image
    else:
        return None
    return {
        **args,
        "id": name,
        "name": name,
        "region": region,
        "arn": f"arn:{partition_of(region)}:ssm:{region}::parameter{name}",
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
        "withDecryption": args.get("withDecryption", True),
    }


def _ami_owner(args: Mapping[str, Any], account: str) -> tuple[str, str]:
    owners: list[str] = args.get("owners") or []
    first = owners[0] if owners else "self"
    if first == "self":
        return account, ""
    if first in OWNER_ALIASES:
        return OWNER_ALIASES[first], first
    return first, ""


def ami(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    question = (args.get("owners"), args.get("filters"), args.get("nameRegex"), args.get("executableUsers"))
    image = _ami_id(region, *question)
    name_filter = next(iter(_filter_values(args, "name")), "offline-placeholder-*")
    name = name_filter.replace("*", "offline-placeholder").replace("?", "0")
    architecture = next(
        iter(_filter_values(args, "architecture")), "arm64" if "arm64" in name or "aarch64" in name else "x86_64"
    )
    owner, alias = _ami_owner(args, account)
    return {
        **args,
        # The provider's schema types it a bool; programs pass "true" too (the provider coerces it).
        "mostRecent": args.get("mostRecent") in (True, "true"),
        "id": image,
        "imageId": image,
        "arn": f"arn:{partition_of(region)}:ec2:{region}::image/{image}",
        "name": name,
        "description": "offline placeholder: no image was looked up",
        "architecture": architecture,
        "ownerId": owner,
        "imageOwnerAlias": alias,
        "imageLocation": f"{alias or owner}/{name}",
        "imageType": "machine",
        "creationDate": "2025-01-01T00:00:00.000Z",
        "deprecationTime": "2027-01-01T00:00:00.000Z",
        "state": "available",
        "public": bool(alias),
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "rootSnapshotId": f"snap-{_digest('snap', image)}",
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "enaSupport": True,
        "sriovNetSupport": "simple",
        "bootMode": "uefi-preferred",
        "imdsSupport": "v2.0",
        "platformDetails": "Linux/UNIX",
        "usageOperation": "RunInstances",
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {"volume_size": "8", "volume_type": "gp3", "encrypted": "false"},
                "noDevice": "",
                "virtualName": "",
            }
        ],
        "productCodes": [],
        "stateReason": {"code": "UNSET", "message": "UNSET"},
        "tags": args.get("tags") or {},
        "kernelId": "",
        "ramdiskId": "",
        "platform": "",
        "tpmSupport": "",
        "lastLaunchedTime": "",
    }


def ami_ids(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    question = (args.get("owners"), args.get("filters"), args.get("nameRegex"), args.get("executableUsers"))
    return {**args, "id": region, "region": region, "ids": [_ami_id(region, *question)]}


def default_vpc_id(region: str, account: str) -> str:
    return f"vpc-{_digest('default-vpc', region, account)}"


def vpc(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    is_default = bool(args.get("default")) or not (args.get("id") or args.get("filters") or args.get("tags"))
    vpc_id = args.get("id") or (default_vpc_id(region, account) if is_default else f"vpc-{_digest(region, args)}")
    cidr = args.get("cidrBlock") or (DEFAULT_VPC_CIDR if is_default else "10.0.0.0/16")
    return {
        **args,
        "id": vpc_id,
        "region": region,
        "arn": f"arn:{partition_of(region)}:ec2:{region}:{account}:vpc/{vpc_id}",
        "cidrBlock": cidr,
        "cidrBlockAssociations": [
            {"associationId": f"vpc-cidr-assoc-{_digest(vpc_id)}", "cidrBlock": cidr, "state": "associated"}
        ],
        "default": is_default,
        "dhcpOptionsId": f"dopt-{_digest('dopt', vpc_id)}",
        "enableDnsHostnames": is_default,
        "enableDnsSupport": True,
        "enableNetworkAddressUsageMetrics": False,
        "instanceTenancy": "default",
        "mainRouteTableId": f"rtb-{_digest('main', vpc_id)}",
        "ownerId": account,
        "state": "available",
        "tags": args.get("tags") or {},
    }


def _vpc_of(args: Mapping[str, Any], region: str, account: str) -> str:
    return args.get("vpcId") or next(iter(_filter_values(args, "vpc-id")), default_vpc_id(region, account))


def _subnets_of(vpc_id: str, region: str) -> list[tuple[str, str, str]]:
    """(id, zone, CIDR) of a VPC's subnets: one /20 per zone, as in a default VPC."""
    return [
        (f"subnet-{_digest('subnet', vpc_id, zone)}", zone, f"172.31.{16 * index}.0/20")
        for index, zone in enumerate(zone_names(region))
    ]


def subnets(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    vpc_id = _vpc_of(args, region, account)
    zones = set(_filter_values(args, "availability-zone"))
    ids = [sid for sid, zone, _ in _subnets_of(vpc_id, region) if not zones or zone in zones]
    return {**args, "id": region, "region": region, "ids": ids}


def subnet(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    region = _region(args, region)
    vpc_id = _vpc_of(args, region, account)
    candidates = _subnets_of(vpc_id, region)
    wanted_zone = args.get("availabilityZone") or next(iter(_filter_values(args, "availability-zone")), None)
    match = next(
        (s for s in candidates if s[0] == args.get("id") or (wanted_zone and s[1] == wanted_zone)), candidates[0]
    )
    subnet_id, zone, cidr = (args.get("id") or match[0]), match[1], args.get("cidrBlock") or match[2]
    default = vpc_id == default_vpc_id(region, account)
    return {
        **args,
        "id": subnet_id,
        "region": region,
        "arn": f"arn:{partition_of(region)}:ec2:{region}:{account}:subnet/{subnet_id}",
        "vpcId": vpc_id,
        "availabilityZone": zone,
        "availabilityZoneId": _zone_id(region, zone),
        "cidrBlock": cidr,
        # A /20 has 4,096 addresses, of which AWS reserves 5.
        "availableIpAddressCount": 4091,
        "defaultForAz": default,
        "mapPublicIpOnLaunch": default,
        "mapCustomerOwnedIpOnLaunch": False,
        "enableDns64": False,
        "enableLniAtDeviceIndex": 0,
        "enableResourceNameDnsARecordOnLaunch": False,
        "enableResourceNameDnsAaaaRecordOnLaunch": False,
        "ipv6Native": False,
        "outpostArn": "",
        "ownerId": account,
        "privateDnsHostnameTypeOnLaunch": "ip-name",
        "state": "available",
        "tags": args.get("tags") or {},
    }


def hosted_zone(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    zone_id = args.get("zoneId") or f"Z{_digest('zone', args.get('name'), args.get('privateZone')).upper()}"
    name = (args.get("name") or f"{zone_id.lower()}.example.com").rstrip(".")
    servers = [f"ns-{100 + i}.awsdns-{10 + i:02d}.{tld}" for i, tld in enumerate(("com", "net", "org", "co.uk"))]
    return {
        **args,
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:{partition_of(region)}:route53:::hostedzone/{zone_id}",
        "callerReference": f"offline-placeholder-{zone_id}",
        "comment": "offline placeholder: no hosted zone was looked up",
        "nameServers": [] if args.get("privateZone") else servers,
        "primaryNameServer": "" if args.get("privateZone") else servers[0],
        "privateZone": bool(args.get("privateZone")),
        "resourceRecordSetCount": 2,
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "tags": args.get("tags") or {},
        "vpcId": args.get("vpcId") or "",
    }


def ecr_credentials(args: Mapping[str, Any], region: str, account: str) -> dict[str, Any]:
    registry = args.get("registryId") or account
    password = f"offline-placeholder-{_digest('ecr', registry, length=24)}"
    return {
        "id": registry,
        "registryId": registry,
        "userName": "AWS",
        "password": password,
        "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.{_partition(region)[1]}",
        "expiresAt": "2030-01-01T00:00:00Z",
    }


PLACEHOLDERS: dict[str, Answerer] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": caller_identity,
    "aws:index/getPartition:getPartition": partition,
    "aws:index/getRegion:getRegion": region_info,
    "aws:elb/getServiceAccount:getServiceAccount": _service_account(ELB_ACCOUNTS),
    "aws:cloudtrail/getServiceAccount:getServiceAccount": _service_account(CLOUDTRAIL_ACCOUNTS),
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": managed_prefix_list,
    "aws:ssm/getParameter:getParameter": ssm_parameter,
    "aws:ec2/getAmi:getAmi": ami,
    "aws:ec2/getAmiIds:getAmiIds": ami_ids,
    "aws:ec2/getVpc:getVpc": vpc,
    "aws:ec2/getSubnets:getSubnets": subnets,
    # Removed in pulumi-aws 6; programs pinned to older SDKs still call it.
    "aws:ec2/getSubnetIds:getSubnetIds": subnets,
    "aws:ec2/getSubnet:getSubnet": subnet,
    "aws:route53/getZone:getZone": hosted_zone,
    "aws:ecr/getCredentials:getCredentials": ecr_credentials,
    # Registry credentials for pushing an image (pulumi-docker's registry block).
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": ecr_credentials,
}
