"""EKS managed node group policies: no SSH remote access, and IMDSv2 with hop limit 1 on the nodes.

A node group's metadata settings come from its launch template; without one, EKS generates a
launch template the program cannot configure. The control plane is checked in `eks.py`.
"""

from __future__ import annotations

from . import _types as t
from ._helpers import get, strings, text
from ._links import by_keys, targets_of
from ._policy import HIGH, Stack, resource_policy, stack_policy
from .compute import _hop_limit, _imdsv2


def _remote_access(args, _cfg):
    access = get(args.props, "remoteAccess")
    key = text(get(access, "ec2SshKey"))
    if not key:
        return
    if strings(get(access, "sourceSecurityGroupIds")):
        yield f"remote_access attaches SSH key '{key}' to the nodes"
    else:
        # EKS opens port 22 to 0.0.0.0/0 when no source security groups are given.
        yield (
            f"remote_access attaches SSH key '{key}' and, with no source_security_group_ids, opens port 22 to 0.0.0.0/0"
        )


def _node_metadata(stack: Stack, cfg):
    templates = by_keys(stack.of(t.LAUNCH_TEMPLATE))
    for group in stack.of(t.EKS_NODE_GROUP):
        spec = get(group.props, "launchTemplate")
        if spec is None:
            yield (
                f"EKS node group '{group.name}' has no launch template, so IMDSv2 and hop limit 1 cannot be required",
                group.urn,
            )
            continue
        for template in targets_of(group, "launchTemplate", templates):
            for message in [*_imdsv2(template, cfg), *_hop_limit(template, cfg)]:
                yield f"EKS node group '{group.name}' launch template '{template.name}': {message}", group.urn


POLICIES = [
    resource_policy(
        "eks-nodegroup-no-remote-access",
        types=t.EKS_NODE_GROUP,
        description="Managed nodes carry no SSH key (with no source security groups, EKS opens port 22 to the "
        "internet); operators use SSM Session Manager.",
        severity=HIGH,
        checklist=("HOST-1", "K8S-6"),
        remediation="Remove remote_access from aws.eks.NodeGroup(cluster_name=cluster.name, node_role_arn=role.arn, "
        "subnet_ids=private_subnet_ids, scaling_config={'desired_size': 2, 'max_size': 10, 'min_size': 2}) and "
        "attach AmazonSSMManagedInstanceCore to the node role.",
        check=_remote_access,
    ),
    stack_policy(
        "eks-nodegroup-imdsv2",
        description="Managed nodes launch from a launch template that requires IMDSv2 with hop limit 1, so pods "
        "cannot read the node role's credentials from the metadata service.",
        severity=HIGH,
        checklist=("HOST-2", "K8S-6"),
        remediation="Add aws.ec2.LaunchTemplate(metadata_options={'http_tokens': 'required', 'http_endpoint': "
        "'enabled', 'http_put_response_hop_limit': 1}) and set aws.eks.NodeGroup(cluster_name=..., "
        "node_role_arn=..., subnet_ids=..., scaling_config=..., launch_template={'id': lt.id, 'version': "
        "lt.latest_version.apply(str)}).",
        check=_node_metadata,
        config={"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1}},
    ),
]
