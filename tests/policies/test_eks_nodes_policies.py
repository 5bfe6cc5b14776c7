"""EKS managed node group policies: no SSH remote access, IMDSv2 and hop limit 1 via the launch template."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

SCALING = {"desired_size": 2, "max_size": 10, "min_size": 2}
STRICT = {"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1}


def _group(**overrides):
    args = dict(
        cluster_name="platform",
        node_role_arn="arn:aws:iam::123456789012:role/nodes",
        subnet_ids=["subnet-a", "subnet-b"],
        scaling_config=SCALING,
    )
    return aws.eks.NodeGroup("nodes", **{**args, **overrides})


def _with_template(metadata: dict | None):
    def program():
        template = aws.ec2.LaunchTemplate("nodes", metadata_options=metadata)
        _group(launch_template={"id": template.id, "version": template.latest_version.apply(str)})

    return program


CASES = [
    Case(
        "eks-nodegroup-no-remote-access",
        lambda: _group(remote_access={"ec2_ssh_key": "ops"}),
        lambda: _group(),
        "opens port 22 to 0.0.0.0/0",
    ),
    Case(
        "eks-nodegroup-no-remote-access",
        lambda: _group(remote_access={"ec2_ssh_key": "ops", "source_security_group_ids": ["sg-bastion"]}),
        lambda: _group(),
        "SSH key 'ops'",
    ),
    Case(
        "eks-nodegroup-imdsv2",
        _with_template({"http_tokens": "optional"}),
        _with_template(STRICT),
        "httpTokens is optional",
    ),
    Case(
        "eks-nodegroup-imdsv2",
        _with_template({**STRICT, "http_put_response_hop_limit": 2}),
        _with_template(STRICT),
        "httpPutResponseHopLimit is 2",
    ),
    Case("eks-nodegroup-imdsv2", lambda: _group(), _with_template(STRICT), "no launch template"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
