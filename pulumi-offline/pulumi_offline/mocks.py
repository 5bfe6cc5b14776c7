"""Computed outputs shaped like the ones AWS returns, so code that formats ARNs, endpoints or
DNS names is exercised the way a real deployment exercises it."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pulumi

from . import datasources
from .aws_types import ID_PREFIXES
from .datasources import call_site

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# Hosted zone ids AWS uses for alias records (ELB zones are per region).
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
ELB_ZONE_IDS = {"us-east-1": "Z35SXDOTRQ7X7K", "us-west-2": "Z1H1FL5HABSF5", "eu-west-1": "Z32O12XQLNTSW2"}

# Resources whose `name` the engine fills in by auto-naming when the program doesn't set one.
AUTO_NAMED = {
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    "aws:docdb/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:iam/role:Role",
    "aws:cloudwatch/eventRule:EventRule",
}


# The program called a provider function (data source) nothing answers offline.
UnexpectedInvokeError = datasources.UnansweredInvokeError


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _untagged(image: str) -> str:
    repository, _, tag = image.rpartition(":")
    return repository if repository and "/" not in tag else image


def _service(type_token: str) -> str:
    module = type_token.split(":")[1]
    return module.split("/")[0]


def _physical_name(name: str, inputs: dict) -> str:
    for key in ("name", "bucket", "identifier", "clusterIdentifier", "replicationGroupId"):
        if isinstance(inputs.get(key), str) and inputs[key]:
            return inputs[key]
    # Pulumi auto-names with a random 7-character suffix.
    return f"{name}-{_digest(name, length=7)}"


def computed_outputs(
    type_token: str, name: str, inputs: dict, region: str, account: str = ACCOUNT_ID
) -> tuple[str, dict]:
    """Return (physical id, outputs) for a resource of `type_token` created in `region` of `account`."""
    physical = _physical_name(name, inputs)
    service = _service(type_token)
    suffix = _digest(type_token, name)
    resource_id = f"{ID_PREFIXES[type_token]}-{suffix}" if type_token in ID_PREFIXES else physical
    arn = f"arn:aws:{service}:{region}:{account}:{type_token.split(':')[-1].lower()}/{resource_id}"
    out: dict[str, Any] = {"arn": arn}
    if type_token in AUTO_NAMED:
        out["name"] = physical

    match type_token:
        case "aws:ec2/vpc:Vpc":
            out |= {
                "defaultSecurityGroupId": f"sg-{_digest('default', name)}",
                "mainRouteTableId": f"rtb-{_digest('main', name)}",
                "defaultNetworkAclId": f"acl-{_digest('acl', name)}",
                "ownerId": account,
            }
        case "aws:ec2/eip:Eip":
            out |= {"publicIp": f"52.{int(suffix[:2], 16)}.{int(suffix[2:4], 16)}.10"}
        case "aws:kms/key:Key":
            key_id = f"{suffix[:8]}-{suffix[8:12]}-4{suffix[12:15]}-8{suffix[:3]}-{_digest(name, length=12)}"
            resource_id = key_id
            out |= {"keyId": key_id, "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}"}
        case "aws:kms/alias:Alias":
            out |= {"arn": f"arn:aws:kms:{region}:{account}:{inputs.get('name', 'alias/' + name)}"}
        case "aws:s3/bucket:Bucket":
            out |= {
                "bucket": physical,
                "arn": f"arn:aws:s3:::{physical}",
                "bucketDomainName": f"{physical}.s3.amazonaws.com",
                "bucketRegionalDomainName": f"{physical}.s3.{region}.amazonaws.com",
                "region": region,
            }
        case "aws:cloudwatch/logGroup:LogGroup":
            out |= {"arn": f"arn:aws:logs:{region}:{account}:log-group:{physical}"}
            resource_id = physical
        case "aws:iam/role:Role" | "aws:iam/policy:Policy" | "aws:iam/instanceProfile:InstanceProfile":
            kind = type_token.split(":")[-1].lower().replace("instanceprofile", "instance-profile")
            out |= {"arn": f"arn:aws:iam::{account}:{kind}/{physical}", "uniqueId": f"AROA{suffix.upper()}"}
            resource_id = physical
        case "aws:sns/topic:Topic":
            out |= {"arn": f"arn:aws:sns:{region}:{account}:{physical}"}
            resource_id = out["arn"]
        case "aws:secretsmanager/secret:Secret":
            out |= {"arn": f"arn:aws:secretsmanager:{region}:{account}:secret:{physical}-{suffix[:6]}"}
            resource_id = out["arn"]
        case "aws:lambda/function:Function":
            function_arn = f"arn:aws:lambda:{region}:{account}:function:{physical}"
            out |= {
                "arn": function_arn,
                "qualifiedArn": f"{function_arn}:$LATEST",
                "invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
                "version": "$LATEST",
            }
            resource_id = physical
        case "aws:lb/loadBalancer:LoadBalancer":
            elb = f"arn:aws:elasticloadbalancing:{region}:{account}"
            out |= {
                "arn": f"{elb}:loadbalancer/app/{physical[:32]}/{suffix[:16]}",
                "arnSuffix": f"app/{physical[:32]}/{suffix[:16]}",
                "dnsName": f"{physical[:32]}-{int(suffix[:8], 16)}.{region}.elb.amazonaws.com",
                "zoneId": ELB_ZONE_IDS.get(region, ELB_ZONE_IDS[DEFAULT_REGION]),
            }
            resource_id = out["arn"]
        case "aws:lb/targetGroup:TargetGroup":
            out |= {
                "arn": f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{physical[:32]}/{suffix[:16]}",
                "arnSuffix": f"targetgroup/{physical[:32]}/{suffix[:16]}",
            }
            resource_id = out["arn"]
        case "aws:acm/certificate:Certificate":
            domain = inputs.get("domainName", "example.com")
            out |= {
                "arn": f"arn:aws:acm:{region}:{account}:certificate/{suffix}",
                "domainValidationOptions": [
                    {
                        "domainName": domain,
                        "resourceRecordName": f"_{_digest(domain, length=32)}.{domain}.",
                        "resourceRecordType": "CNAME",
                        "resourceRecordValue": f"_{_digest('v', domain, length=32)}.acm-validations.aws.",
                    }
                ],
                "status": "ISSUED",
            }
        case "aws:cloudfront/distribution:Distribution":
            out |= {
                "arn": f"arn:aws:cloudfront::{account}:distribution/E{suffix[:13].upper()}",
                "domainName": f"d{suffix[:13]}.cloudfront.net",
                "hostedZoneId": CLOUDFRONT_ZONE_ID,
                "status": "Deployed",
            }
            resource_id = f"E{suffix[:13].upper()}"
        case "aws:rds/instance:Instance":
            address = f"{physical}.c{suffix[:11]}.{region}.rds.amazonaws.com"
            port = int(inputs.get("port", 5432))
            out |= {
                "address": address,
                "endpoint": f"{address}:{port}",
                "port": port,
                "resourceId": f"db-{suffix.upper()}",
                "arn": f"arn:aws:rds:{region}:{account}:db:{physical}",
            }
            if inputs.get("manageMasterUserPassword"):
                # RDS names the secret it manages `rds!db-<uuid>`.
                secret = f"rds!db-{suffix}-{suffix[:6]}"
                out["masterUserSecrets"] = [
                    {
                        "secretArn": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{secret}",
                        "kmsKeyId": inputs.get("masterUserSecretKmsKeyId", ""),
                        "secretStatus": "active",
                    }
                ]
        case "aws:docdb/cluster:Cluster":
            host = f"c{suffix[:11]}.{region}.docdb.amazonaws.com"
            out |= {
                "endpoint": f"{physical}.cluster-{host}",
                "readerEndpoint": f"{physical}.cluster-ro-{host}",
                "port": inputs.get("port", 27017),
                "arn": f"arn:aws:rds:{region}:{account}:cluster:{physical}",
            }
        case "aws:docdb/clusterInstance:ClusterInstance":
            out |= {"arn": f"arn:aws:rds:{region}:{account}:db:{physical}"}
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            host = f"{physical}.{suffix[:6]}.ng.0001.{region[:3]}{region.split('-')[1][0]}1.cache.amazonaws.com"
            out |= {
                "primaryEndpointAddress": f"master.{host}",
                "readerEndpointAddress": f"replica.{host}",
                "arn": f"arn:aws:elasticache:{region}:{account}:replicationgroup:{physical}",
            }
        case "aws:ecr/repository:Repository":
            out |= {
                "repositoryUrl": f"{account}.dkr.ecr.{region}.amazonaws.com/{physical}",
                "registryId": account,
                "arn": f"arn:aws:ecr:{region}:{account}:repository/{physical}",
            }
        case "aws:wafv2/webAcl:WebAcl":
            scope = "global" if inputs.get("scope") == "CLOUDFRONT" else "regional"
            out |= {"arn": f"arn:aws:wafv2:{region}:{account}:{scope}/webacl/{physical}/{suffix}"}
        case "aws:backup/vault:Vault":
            out |= {"arn": f"arn:aws:backup:{region}:{account}:backup-vault:{physical}"}
            resource_id = physical
        case "aws:eks/cluster:Cluster":
            # What a kubeconfig and the node security group rules are built from.
            out |= {
                "arn": f"arn:aws:eks:{region}:{account}:cluster/{physical}",
                "endpoint": f"https://{suffix.upper()}.gr7.{region}.eks.amazonaws.com",
                "certificateAuthority": {"data": base64.b64encode(f"offline-ca-{suffix}".encode()).decode()},
                "vpcConfig": {
                    **(inputs.get("vpcConfig") or {}),
                    "clusterSecurityGroupId": f"sg-{_digest('eks', name)}",
                },
            }
        case "aws:ec2/launchTemplate:LaunchTemplate":
            out |= {"latestVersion": 1, "defaultVersion": 1}
        case "aws:route53/record:Record":
            out |= {"fqdn": inputs.get("name", name)}
        case "docker-build:index:Image" | "docker:index/image:Image":
            digest = f"sha256:{hashlib.sha256(name.encode()).hexdigest()}"
            # `repo@sha256:…`: the pushed manifest, without the tag the build was named with.
            out |= {"digest": digest, "repoDigest": f"{_untagged(inputs.get('imageName', name))}@{digest}"}
        case _ if type_token.startswith("random:"):
            # RandomPassword/RandomString: a value of the requested length (kept secret by the SDK).
            length = int(inputs.get("length", 32))
            out |= {"result": _digest("random", name, length=64)[:length]}
            if type_token == "random:index/randomBytes:RandomBytes":
                raw = hashlib.sha256(f"random/{name}".encode()).digest()[:length]
                out = {"base64": base64.b64encode(raw).decode(), "hex": raw.hex()}
    return resource_id, out


class RealisticMocks(pulumi.runtime.Mocks):
    """Mocks whose outputs carry the region of the resource's provider."""

    def __init__(self) -> None:
        self.provider_places: dict[str, tuple[str, str]] = {}
        self.invokes: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if args.typ.startswith("pulumi:providers:"):
            provider_id = f"provider-{_digest(args.typ, args.name)}"
            region = given if isinstance(given := args.inputs.get("region"), str) else DEFAULT_REGION
            # Provider config arrives JSON-encoded; a pinned account makes ARNs carry it.
            accounts = json.loads(args.inputs.get("allowedAccountIds") or "[]")
            self.provider_places[provider_id] = (region, accounts[0] if accounts else ACCOUNT_ID)
            return provider_id, dict(args.inputs)
        provider_id = args.provider.split("::")[-1] if args.provider else ""
        region, account = self.provider_places.get(provider_id, (DEFAULT_REGION, ACCOUNT_ID))
        resource_id, outputs = computed_outputs(args.typ, args.name, args.inputs, region, account)
        return resource_id, {**args.inputs, **outputs}

    def call(self, args: pulumi.runtime.MockCallArgs):
        """Answer a provider function (`pulumi_offline.datasources`): the answers file, then
        computed and placeholder answers; unanswered, unknown (or an error naming the call)."""
        provider_id = args.provider.split("::")[-1] if args.provider else ""
        if provider_id in self.provider_places:
            place = datasources.Place(*self.provider_places[provider_id])
        else:
            # The default provider: the stack's aws:* config, as the engine configures it.
            keys = ("aws:region", "aws:allowedAccountIds")
            place = datasources.Place.of_default_provider({k: pulumi.runtime.get_config(k) for k in keys})
        session = datasources.current()
        call_args = dict(args.args)
        self.invokes.append(args.token)
        try:
            answer = session.answer(args.token, call_args, place)
        except datasources.PolicyDocumentError as exc:
            # As the provider refuses them: the SDK raises "invoke of <token> failed: …".
            return {}, [(exc.argument, str(exc))]
        if answer is not None:
            return answer, []
        plain, site = call_site.plain_invoke_site(args.token)
        if plain:
            raise datasources.UnansweredInvokeError(args.token, call_args, site)
        session.record(args.token, call_args, "unknown")
        raise datasources.UnknownInvokeResult(args.token, call_args)
