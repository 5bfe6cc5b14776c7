"""Launch configurations and spot instance requests: the launch-template host rules."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
METADATA = {"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1}
SAFE_USER_DATA = "#!/bin/bash\nDB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString)\n"
LEAKY_USER_DATA = "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n"


def _launch_configuration(**overrides):
    args = dict(
        image_id="ami-123",
        instance_type="t3.medium",
        metadata_options=METADATA,
        root_block_device={"encrypted": True, "volume_size": 30},
        associate_public_ip_address=False,
        user_data=SAFE_USER_DATA,
    )
    return lambda: aws.ec2.LaunchConfiguration("legacy", **{**args, **overrides})


def _spot(**overrides):
    args = dict(
        ami="ami-123",
        instance_type="t3.medium",
        subnet_id="subnet-a",
        metadata_options=METADATA,
        root_block_device={"encrypted": True, "kms_key_id": KEY},
        user_data=SAFE_USER_DATA,
    )
    return lambda: aws.ec2.SpotInstanceRequest("batch", **{**args, **overrides})


def _shared(kind: str, build) -> list[Case]:
    return [
        Case(f"ec2-{kind}-imdsv2-required", build(metadata_options={"http_tokens": "optional"}), build(), "optional"),
        Case(
            f"ec2-{kind}-imds-hop-limit",
            build(metadata_options={**METADATA, "http_put_response_hop_limit": 3}),
            build(),
            "is 3",
        ),
        Case(f"ec2-{kind}-no-key-pair", build(key_name="ops"), build(), "key pair 'ops'"),
        Case(f"ec2-{kind}-no-public-ip", build(associate_public_ip_address=True), build(), "associatePublicIpAddress"),
        Case(f"ec2-{kind}-user-data-no-secrets", build(user_data=LEAKY_USER_DATA), build(), "DB_PASSWORD"),
    ]


CASES = [
    *_shared("launchconfiguration", _launch_configuration),
    Case(
        "ec2-launchconfiguration-volumes-encrypted",
        _launch_configuration(root_block_device={"encrypted": False}),
        _launch_configuration(),
        "not encrypted",
    ),
    Case(
        "ec2-launchconfiguration-volumes-encrypted",
        _launch_configuration(ebs_block_devices=[{"device_name": "/dev/sdf", "volume_size": 100}]),
        _launch_configuration(ebs_block_devices=[{"device_name": "/dev/sdf", "volume_size": 100, "encrypted": True}]),
        "volume /dev/sdf is not encrypted",
    ),
    *_shared("spotinstancerequest", _spot),
    Case(
        "ec2-spotinstancerequest-volumes-encrypted",
        _spot(root_block_device={"encrypted": True}),
        _spot(),
        "AWS-managed key",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
