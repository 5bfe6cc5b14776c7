"""EKS control-plane policies (K8S-6): API endpoint exposure, secrets envelope encryption, logs.

The workloads that run on the cluster are checked in `kubernetes.py`.
"""

from __future__ import annotations

import ipaddress

from . import _types as t
from ._helpers import flag, get, items, strings
from ._policy import HIGH, MEDIUM, resource_policy


def _open_cidr(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def _endpoint(args, _cfg):
    vpc = get(args.props, "vpcConfig")
    # EKS opens the public endpoint unless told otherwise, to 0.0.0.0/0 unless given CIDRs.
    if not flag(get(vpc, "endpointPublicAccess"), default=True):
        return
    cidrs = strings(get(vpc, "publicAccessCidrs"))
    if not cidrs:
        yield "the public API endpoint is open to 0.0.0.0/0 (vpcConfig.publicAccessCidrs is unset)"
    for cidr in filter(_open_cidr, cidrs):
        yield f"the public API endpoint is open to {cidr}"


def _secrets_encryption(args, _cfg):
    configs = items(get(args.props, "encryptionConfig"))
    covering = [c for c in configs if "secrets" in strings(get(c, "resources"))]
    if not covering:
        yield "Kubernetes secrets are not envelope-encrypted (encryptionConfig.resources lacks 'secrets')"
    elif not any(get(c, "provider", "keyArn") for c in covering):
        yield "encryptionConfig has no KMS key (provider.keyArn)"


def _control_plane_logs(args, cfg):
    missing = [log for log in cfg["requiredLogTypes"] if log not in strings(get(args.props, "enabledClusterLogTypes"))]
    if missing:
        yield f"enabledClusterLogTypes is missing {', '.join(missing)}"


POLICIES = [
    resource_policy(
        "eks-cluster-endpoint-restricted",
        types=t.EKS_CLUSTER,
        description="The cluster's API endpoint is private, or public only to listed networks (never 0.0.0.0/0).",
        severity=HIGH,
        checklist=("K8S-6",),
        remediation="Set vpc_config.endpoint_public_access=False and endpoint_private_access=True, or "
        "public_access_cidrs=[<office/VPN CIDRs>].",
        check=_endpoint,
    ),
    resource_policy(
        "eks-cluster-secrets-encrypted",
        types=t.EKS_CLUSTER,
        description="Kubernetes secrets are envelope-encrypted in etcd with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("K8S-6", "SEC-1"),
        remediation="Set encryption_config={'resources': ['secrets'], 'provider': {'key_arn': <CMK ARN>}}.",
        check=_secrets_encryption,
    ),
    resource_policy(
        "eks-cluster-control-plane-logs",
        types=t.EKS_CLUSTER,
        description="Every control-plane log type is sent to CloudWatch Logs.",
        severity=MEDIUM,
        checklist=("K8S-6", "OBS-2"),
        remediation="Set enabled_cluster_log_types=['api', 'audit', 'authenticator', 'controllerManager', "
        "'scheduler'].",
        check=_control_plane_logs,
        config={
            "requiredLogTypes": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            }
        },
    ),
]
