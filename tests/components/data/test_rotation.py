"""Scheduled rotation of the secrets AWS can't rotate itself (SEC-2): one rotation function,
least privilege, a schedule on every secret but CloudFront's origin header."""

from __future__ import annotations

import json

from components.data.rotation import HANDLER_SOURCE

ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
FUNCTION = "aws:lambda/function:Function"
# secret (resource name without the stack) -> how the function rotates it
ROTATED = {
    "secrets-jwt-secret": "random",
    "secrets-session-secret": "random",
    "secrets-api-key": "random",
    "secrets-encryption-key": "keyring",
    "docdb-master-secret": "docdb-master",
    "cache-auth-secret": "elasticache-auth",
}


def rotator(graph):
    (function,) = graph.of_type(FUNCTION)
    return function


def secret_arns(graph) -> dict[str, str]:
    return {name: graph.named(f"{graph.stack}-{name}").outputs["arn"] for name in ROTATED}


def policy(graph) -> dict[str, dict]:
    document = json.loads(graph.named(f"{graph.stack}-rotation-access").inputs["policy"])
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_every_secret_but_the_origin_header_rotates_through_the_function_within_90_days(stack):
    function_arn = rotator(stack).outputs["arn"]
    by_secret = {
        r.inputs["secretId"]: r for r in stack.of_type(ROTATION) if r.inputs.get("rotationLambdaArn") == function_arn
    }
    secrets = {s.name.removeprefix(f"{stack.stack}-"): s.id for s in stack.of_type("aws:secretsmanager/secret:Secret")}
    unscheduled = {name for name, secret_id in secrets.items() if secret_id not in by_secret}
    assert unscheduled == {"origin-secret-secret"}  # the lead rotates it separately
    for rotation in by_secret.values():
        assert 1 <= rotation.inputs["rotationRules"]["automaticallyAfterDays"] <= 90
        assert rotation.inputs["rotateImmediately"] is False


def test_the_function_knows_how_each_secret_rotates_and_holds_no_secret(stack):
    variables = rotator(stack).inputs["environment"]["variables"]
    targets = json.loads(variables["ROTATION_TARGETS"])
    arns = secret_arns(stack)
    assert {arn: t["kind"] for arn, t in targets.items()} == {arns[name]: kind for name, kind in ROTATED.items()}
    prefix = f"platform-{stack.stack}"
    assert targets[arns["docdb-master-secret"]]["target"] == f"{prefix}-docdb"
    assert targets[arns["cache-auth-secret"]]["target"] == f"{prefix}-cache"
    assert list(variables) == ["ROTATION_TARGETS"]


def test_the_function_is_packaged_from_the_repo_and_runs_outside_the_vpc(stack):
    function = rotator(stack)
    assert function.inputs["runtime"] == "python3.12" and function.inputs["handler"] == "handler.lambda_handler"
    assert function.inputs["code"]["assets"]["handler.py"]["path"] == str(HANDLER_SOURCE)
    assert "vpcConfig" not in function.inputs
    # testSecret waits up to 9 minutes for a store.
    assert function.inputs["timeout"] >= 600
    # No reservation: an account whose concurrency quota leaves no room refuses any.
    assert "reservedConcurrentExecutions" not in function.inputs


def test_the_role_reaches_exactly_the_rotated_secrets_and_their_stores(stack):
    statements = policy(stack)
    assert set(statements["RotateTheseSecrets"]["Resource"]) == set(secret_arns(stack).values())
    assert set(statements["RotateTheseSecrets"]["Action"]) == {
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    }
    assert statements["SetNewDocdbCredential"]["Resource"] == stack.named(f"{stack.stack}-docdb-cluster").outputs["arn"]
    assert statements["SetNewCacheCredential"]["Resource"] == stack.named(f"{stack.stack}-cache-group").outputs["arn"]
    # The one wildcard is the action AWS gives no resource-level permission.
    wildcards = [s["Action"] for s in statements.values() if s["Resource"] == "*"]
    assert wildcards == ["secretsmanager:GetRandomPassword"]


def test_the_role_uses_the_data_key_only_through_secrets_manager(stack):
    kms = policy(stack)["UseTheDataKeyThroughSecretsManager"]
    assert kms["Resource"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    assert set(kms["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}


def test_the_function_environment_is_encrypted_with_the_data_key(stack):
    assert rotator(stack).inputs["kmsKeyArn"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]


def test_the_role_decrypts_only_its_own_environment_and_only_through_lambda(stack):
    function = rotator(stack)
    region = function.outputs["arn"].split(":")[3]
    decrypt = policy(stack)["DecryptOwnEnvironment"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == function.inputs["kmsKeyArn"]
    # Lambda's own call at cold start, with the context it encrypts the variables under.
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": f"lambda.{region}.amazonaws.com",
            "kms:EncryptionContext:aws:lambda:FunctionArn": function.outputs["arn"],
        }
    }


def test_the_function_logs_to_its_own_encrypted_log_group_with_retention(stack):
    function = rotator(stack)
    log_group = stack.named(f"{stack.stack}-rotation-log")
    assert log_group.inputs["name"] == f"/aws/lambda/{function.inputs['name']}"
    assert log_group.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-logs").outputs["arn"]
    assert log_group.inputs["retentionInDays"] > 0
    assert log_group.urn in function.dependencies  # exists before Lambda would create it unencrypted
    assert policy(stack)["WriteOwnLogs"]["Resource"] == f"{log_group.outputs['arn']}:*"


def test_only_secrets_manager_in_this_account_may_invoke_the_function(stack):
    (permission,) = stack.of_type("aws:lambda/permission:Permission")
    assert permission.inputs["principal"] == "secretsmanager.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    assert permission.inputs["function"] == rotator(stack).inputs["name"]
    assert permission.inputs["sourceAccount"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"].split(":")[4]
    # Creating a schedule runs testSecret once: the permission must exist by then.
    assert all(permission.urn in r.dependencies for r in stack.of_type(ROTATION) if r.inputs.get("rotationLambdaArn"))


def test_pulumi_does_not_move_awscurrent_back_but_can_still_write_new_values(stack):
    versions = [v for v in stack.of_type("aws:secretsmanager/secretVersion:SecretVersion") if "origin" not in v.name]
    assert len(versions) == len(ROTATED)
    for version in versions:
        # versionStages only: ignoring secretString would silently break the `rotated_on` path.
        assert version.options["ignoreChanges"] == ["versionStages"], version.name
