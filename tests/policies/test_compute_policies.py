"""Compute policies: launch templates, instances, Auto Scaling groups, EBS volumes."""

from __future__ import annotations

import base64

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
IMAGE = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SAFE_USER_DATA = "#!/bin/bash\nDB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString)\n"
LEAKY_USER_DATA = "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n"
# Names and references of secrets, and secrets looked up at boot: no plaintext secret here.
REFERENCES_USER_DATA = (
    "#!/bin/bash\nSECRET_ID=alawael/prod/db\nJWT_SECRET_NAME=alawael/prod/jwt\nAPI_TOKEN_PARAM=/prod/api-token\n"
    'PASSWORD_POLICY=strict-policy-v2\nmysql -u app -p"$DB_PASS" -h db\npsql postgresql://app:$PGPASS@db/app\n'
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _template(**overrides):
    args = dict(
        image_id=IMAGE,
        instance_type="t3.medium",
        metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "kms_key_id": KEY, "volume_size": 30}}
        ],
        network_interfaces=[{"associate_public_ip_address": "false", "security_groups": ["sg-1"]}],
        user_data=_b64(SAFE_USER_DATA),
    )
    return lambda: aws.ec2.LaunchTemplate("app", **{**args, **overrides})


def _instance(**overrides):
    args = dict(
        ami="ami-123",
        instance_type="t3.micro",
        subnet_id="subnet-1",
        metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1},
        root_block_device={"encrypted": True, "kms_key_id": KEY},
        user_data=SAFE_USER_DATA,
    )
    return lambda: aws.ec2.Instance("bastionless", **{**args, **overrides})


def _group(**overrides):
    args = dict(
        min_size=2,
        max_size=10,
        vpc_zone_identifiers=["subnet-a", "subnet-b"],
        launch_template={"id": "lt-1", "version": "$Latest"},
        target_group_arns=["arn:tg"],
        health_check_type="ELB",
        instance_refresh={"strategy": "Rolling", "preferences": {"min_healthy_percentage": 100}},
    )
    return lambda: aws.autoscaling.Group("app", **{**args, **overrides})


def _scaling(target: float | None):
    def program():
        group = _group()()
        if target is not None:
            aws.autoscaling.Policy(
                "app-cpu",
                autoscaling_group_name=group.name,
                policy_type="TargetTrackingScaling",
                target_tracking_configuration={
                    "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
                    "target_value": target,
                },
            )

    return program


def _attached(kind, health_check_type: str, **attachment):
    def program():
        group = _group(target_group_arns=None, health_check_type=health_check_type)()
        kind("app-lb", autoscaling_group_name=group.name, **attachment)

    return program


def _elastic_ip(shape: str | None):
    def program():
        instance = _instance()()
        if shape == "eip":
            aws.ec2.Eip("app-ip", domain="vpc", instance=instance.id)
        elif shape == "association":
            aws.ec2.EipAssociation("app-ip", instance_id=instance.id, allocation_id="eipalloc-1")
        else:
            aws.ec2.Eip("nat-ip", domain="vpc")  # a NAT gateway's address names no instance

    return program


def _shared_cases(kind: str, build, public_ip_bad: dict, volumes_bad: dict) -> list[Case]:
    return [
        Case(f"ec2-{kind}-imdsv2-required", build(metadata_options={"http_tokens": "optional"}), build(), "optional"),
        Case(
            f"ec2-{kind}-imds-hop-limit",
            build(metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2}),
            build(),
            "is 2",
        ),
        Case(f"ec2-{kind}-no-key-pair", build(key_name="ops"), build(), "key pair 'ops'"),
        Case(f"ec2-{kind}-no-public-ip", build(**public_ip_bad), build(), "associatePublicIpAddress"),
        Case(f"ec2-{kind}-volumes-encrypted", build(**volumes_bad), build(), "not encrypted"),
        Case(f"ec2-{kind}-user-data-no-secrets", build(user_data=_b64(LEAKY_USER_DATA)), build(), "DB_PASSWORD"),
    ]


CASES = [
    *_shared_cases(
        "launchtemplate",
        _template,
        {"network_interfaces": [{"associate_public_ip_address": "true"}]},
        {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
    ),
    *_shared_cases(
        "instance", _instance, {"associate_public_ip_address": True}, {"root_block_device": {"encrypted": False}}
    ),
    Case("ec2-launchtemplate-image-from-ssm", _template(image_id="ami-0abc"), _template(), "ami-0abc"),
    Case(
        "ebs-volume-encrypted",
        lambda: aws.ebs.Volume("data", availability_zone="eu-west-1a", size=10, encrypted=True),
        lambda: aws.ebs.Volume("data", availability_zone="eu-west-1a", size=10, encrypted=True, kms_key_id=KEY),
        "AWS-managed key",
    ),
    Case("autoscaling-group-elb-health-check", _group(health_check_type="EC2"), _group(), "health_check_type"),
    Case(
        "autoscaling-group-elb-health-check",
        _attached(aws.autoscaling.Attachment, "EC2", lb_target_group_arn="arn:tg"),
        _attached(aws.autoscaling.Attachment, "ELB", lb_target_group_arn="arn:tg"),
        "health_check_type",
    ),
    Case(
        "autoscaling-group-elb-health-check",
        _attached(aws.autoscaling.TrafficSourceAttachment, "EC2", traffic_source={"identifier": "arn:tg"}),
        _attached(aws.autoscaling.TrafficSourceAttachment, "ELB", traffic_source={"identifier": "arn:tg"}),
        "health_check_type",
    ),
    Case("ec2-instance-no-public-ip", _elastic_ip("eip"), _elastic_ip(None), "Elastic IP"),
    Case("ec2-instance-no-public-ip", _elastic_ip("association"), _elastic_ip(None), "Elastic IP"),
    *(
        Case(
            "ec2-instance-user-data-no-secrets",
            _instance(user_data=leak),
            _instance(user_data=REFERENCES_USER_DATA),
            says,
        )
        for leak, says in [
            ("#!/bin/bash\necho DB_PASS=hunter2hunter2 >> /etc/app.env\n", "DB_PASS"),
            ("#!/bin/bash\nmysql -u app -phunter2hunter2 -h db < schema.sql\n", "command line"),
            ("#!/bin/bash\npsql postgresql://app:hunter2hunter2@db.internal/app\n", "connection URL"),
        ]
    ),
    Case("autoscaling-group-capacity", _group(min_size=1), _group(), "minSize is 1"),
    Case("autoscaling-group-multi-az", _group(vpc_zone_identifiers=["subnet-a"]), _group(), "1 subnet"),
    Case(
        "autoscaling-group-launch-template",
        _group(launch_template=None, launch_configuration="legacy"),
        _group(),
        "launch template",
    ),
    Case("autoscaling-group-instance-refresh", _group(instance_refresh=None), _group(), "Rolling"),
    Case(
        "autoscaling-group-refresh-keeps-capacity",
        _group(instance_refresh={"strategy": "Rolling"}),
        _group(),
        "keeps 90% healthy",
    ),
    Case("autoscaling-group-cpu-scaling", _scaling(None), _scaling(70), "no CPU target-tracking"),
    Case("autoscaling-group-cpu-scaling", _scaling(85), _scaling(60), "85% CPU"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_secret_values_are_never_echoed(pack):
    messages = pack.violations("ec2-launchtemplate-user-data-no-secrets", _template(user_data=_b64(LEAKY_USER_DATA)))
    assert messages and not any("hunter2" in m for m in messages)


def test_disabled_metadata_service_needs_no_tokens(pack):
    program = _template(metadata_options={"http_endpoint": "disabled"})
    assert pack.violations("ec2-launchtemplate-imdsv2-required", program) == []


def test_staging_config_relaxes_capacity(pack):
    assert (
        pack.violations(
            "autoscaling-group-capacity", _group(min_size=1), {"autoscaling-group-capacity": {"minSize": 1}}
        )
        == []
    )
