"""Container policies: ECS task definitions and services, ECR repositories."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"
LOGGING = {
    "logDriver": "awslogs",
    "options": {"awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "app"},
}
SAFE_CONTAINER = {
    "name": "app",
    "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2",
    "essential": True,
    "user": "1000:1000",
    "readonlyRootFilesystem": True,
    "privileged": False,
    "logConfiguration": LOGGING,
}


def _task(container: dict | None = None, **overrides):
    definition = {**SAFE_CONTAINER, **(container or {})}
    args = dict(
        family="app",
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu="256",
        memory="512",
        container_definitions=json.dumps([{k: v for k, v in definition.items() if v is not None}]),
    )
    return lambda: aws.ecs.TaskDefinition("app", **{**args, **overrides})


def _service(public: bool):
    return lambda: aws.ecs.Service(
        "app",
        cluster="arn:aws:ecs:eu-west-1:123456789012:cluster/main",
        task_definition="arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1",
        desired_count=2,
        launch_type="FARGATE",
        network_configuration={"subnets": ["subnet-a"], "security_groups": ["sg-1"], "assign_public_ip": public},
    )


def _repository(**overrides):
    args = dict(
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=[{"encryption_type": "KMS", "kms_key": KEY}],
    )
    return lambda: aws.ecr.Repository("app", **{**args, **overrides})


def _registry_scanning():
    _repository(image_scanning_configuration=None)()
    aws.ecr.RegistryScanningConfiguration(
        "registry",
        scan_type="ENHANCED",
        rules=[{"scan_frequency": "SCAN_ON_PUSH", "repository_filters": [{"filter": "*", "filter_type": "WILDCARD"}]}],
    )


def _repository_policy(statement: dict):
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return lambda: aws.ecr.RepositoryPolicy("app", repository="app", policy=document)


PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
CASES = [
    Case("ecs-taskdefinition-not-privileged", _task({"privileged": True}), _task(), "'app' is privileged"),
    Case("ecs-taskdefinition-read-only-root", _task({"readonlyRootFilesystem": None}), _task(), "writable root"),
    Case("ecs-taskdefinition-non-root-user", _task({"user": None}), _task(), "sets no user"),
    Case("ecs-taskdefinition-non-root-user", _task({"user": "0:0"}), _task(), "runs as root"),
    Case("ecs-taskdefinition-no-host-namespaces", _task(pid_mode="host"), _task(pid_mode="task"), "pidMode is 'host'"),
    Case("ecs-taskdefinition-no-host-namespaces", _task(ipc_mode="host"), _task(ipc_mode="none"), "ipcMode is 'host'"),
    Case("ecs-taskdefinition-logging", _task({"logConfiguration": None}), _task(), "no logConfiguration"),
    Case("ecs-service-no-public-ip", _service(True), _service(False), "assign_public_ip is true"),
    Case("ecr-repository-immutable-tags", _repository(image_tag_mutability=None), _repository(), "MUTABLE"),
    Case("ecr-repository-scan-on-push", _repository(image_scanning_configuration=None), _repository(), "does not scan"),
    Case(
        "ecr-repository-scan-on-push",
        _repository(image_scanning_configuration=None),
        _registry_scanning,
        "does not scan",
    ),
    Case("ecr-repository-kms", _repository(encryption_configurations=None), _repository(), "AES256"),
    Case(
        "ecr-repository-kms",
        _repository(encryption_configurations=[{"encryption_type": "KMS"}]),
        _repository(),
        "aws/ecr",
    ),
    Case(
        "ecr-repositorypolicy-not-public",
        _repository_policy({"Effect": "Allow", "Principal": "*", "Action": PULL}),
        _repository_policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": PULL,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            }
        ),
        "Principal '*'",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)
