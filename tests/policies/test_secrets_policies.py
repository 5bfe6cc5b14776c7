"""Key and secret policies."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest
from conftest import Case, assert_case

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1"


def _secret(rotated: bool):
    def program():
        secret = aws.secretsmanager.Secret("jwt", kms_key_id=KEY)
        if rotated:
            aws.secretsmanager.SecretRotation(
                "jwt-rotation",
                secret_id=secret.id,
                rotation_lambda_arn="arn:aws:lambda:x",
                rotation_rules={"automatically_after_days": 90},
            )

    return program


def _task(environment):
    containers = [
        {
            "name": "api",
            "image": "api:1.4.2",
            "environment": environment,
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:db"}],
        }
    ]
    return lambda: aws.ecs.TaskDefinition("api", family="api", container_definitions=json.dumps(containers))


def _rotation(**rules):
    return lambda: aws.secretsmanager.SecretRotation(
        "r", secret_id="s", rotation_lambda_arn="arn:aws:lambda:x", rotation_rules=rules
    )


REFERENCES = [
    {"name": "SECRET_ID", "value": "alawael/prod/db"},
    {"name": "JWT_SECRET_NAME", "value": "alawael/prod/jwt"},
    {"name": "API_TOKEN_PARAM", "value": "/prod/api-token"},
    {"name": "PASSWORD_POLICY", "value": "strict-policy-v2"},
]


def _function(variables):
    return lambda: aws.lambda_.Function(
        "rotate",
        role="arn:aws:iam::1:role/r",
        runtime="python3.12",
        handler="h.main",
        code=None,
        s3_bucket="b",
        s3_key="k",
        environment={"variables": variables},
    )


CASES = [
    Case(
        "kms-key-rotation",
        lambda: aws.kms.Key("data"),
        lambda: aws.kms.Key("data", enable_key_rotation=True),
        "enableKeyRotation",
    ),
    Case(
        "kms-key-deletion-window",
        lambda: aws.kms.Key("data", deletion_window_in_days=7),
        lambda: aws.kms.Key("data", deletion_window_in_days=30),
        "is 7",
    ),
    Case(
        "secretsmanager-secret-cmk",
        lambda: aws.secretsmanager.Secret("s"),
        lambda: aws.secretsmanager.Secret("s", kms_key_id=KEY),
        "kmsKeyId",
    ),
    Case(
        "secretsmanager-secret-recovery-window",
        lambda: aws.secretsmanager.Secret("s", recovery_window_in_days=0),
        lambda: aws.secretsmanager.Secret("s", recovery_window_in_days=7),
        "destroys it immediately",
    ),
    Case("secretsmanager-secret-rotation", _secret(False), _secret(True), "no rotation schedule"),
    Case(
        "secretsmanager-secretrotation-interval",
        lambda: aws.secretsmanager.SecretRotation("r", secret_id="s", rotation_rules={"automatically_after_days": 180}),
        lambda: aws.secretsmanager.SecretRotation("r", secret_id="s", rotation_rules={"automatically_after_days": 30}),
        "every 180 days",
    ),
    Case(
        "secretsmanager-secretrotation-interval",
        _rotation(schedule_expression="rate(365 days)"),
        _rotation(schedule_expression="rate(30 days)"),
        "every 365 days",
    ),
    Case(
        "secretsmanager-secretrotation-interval",
        _rotation(schedule_expression="cron(0 3 1 1 ? *)"),
        _rotation(schedule_expression="cron(0 3 1 * ? *)"),
        "at most every 90 days",
    ),
    Case(
        "secretsmanager-secretrotation-interval",
        _rotation(duration="3h"),
        _rotation(schedule_expression="rate(12 hours)"),
        "sets neither automatically_after_days nor schedule_expression",
    ),
    Case(
        "ecs-taskdefinition-no-plaintext-secrets",
        _task([{"name": "DATABASE_URL", "value": "postgresql://api:q8Zt1vX0pLm3@db:5432/erp"}]),
        _task(REFERENCES),
        "DATABASE_URL",
    ),
    Case(
        "lambda-function-no-plaintext-secrets",
        _function({"DB_PASS": "q8Zt1vX0pLm3"}),
        _function({item["name"]: item["value"] for item in REFERENCES}),
        "DB_PASS",
    ),
    Case(
        "ecs-taskdefinition-no-plaintext-secrets",
        _task([{"name": "JWT_SECRET", "value": "q8Zt1vX0pLm3"}]),
        _task([{"name": "LOG_LEVEL", "value": "info"}, {"name": "TOKEN_TTL_SECONDS", "value": "3600"}]),
        "JWT_SECRET",
    ),
    Case(
        "lambda-function-no-plaintext-secrets",
        _function({"API_KEY": "sk_live_abcdef123456"}),
        _function({"API_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:api"}),
        "API_KEY",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_flags_violation_and_passes_compliant(pack, case):
    assert_case(pack, case)


def test_a_reasoned_exemption_skips_only_the_secrets_it_names(pack):
    def program():
        aws.secretsmanager.Secret("origin-header", kms_key_id=KEY)
        aws.secretsmanager.Secret("jwt", kms_key_id=KEY)

    reason = {"origin-*": "rotated by pulumi up together with the CloudFront and ALB settings"}
    config = {"secretsmanager-secret-rotation": {"exemptions": reason}}
    messages = pack.violations("secretsmanager-secret-rotation", program, config=config)
    assert len(messages) == 1 and messages[0].endswith("secret 'jwt' has no rotation schedule")


def test_plaintext_secret_values_are_not_echoed(pack):
    messages = pack.violations(
        "ecs-taskdefinition-no-plaintext-secrets", _task([{"name": "JWT_SECRET", "value": "q8Zt1vX0pLm3"}])
    )
    assert messages and not any("q8Zt1vX0pLm3" in m for m in messages)
