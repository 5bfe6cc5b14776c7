"""Scheduled rotation (SEC-2) of the secrets AWS can't rotate by itself: one Lambda function
implementing the Secrets Manager rotation protocol (rotation_lambda/handler.py) and a
`SecretRotation` per secret pointing at it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pulumi
import pulumi_aws as aws

from ..foundation.log_groups import encrypted_log_group
from .store_context import StoreContext, assume_role_policy

HANDLER_SOURCE = Path(__file__).parent / "rotation_lambda" / "handler.py"
RotationKind = Literal["random", "keyring", "docdb-master", "elasticache-auth"]
# testSecret waits up to 9 minutes for a store to be `available` again (handler.WAIT_SECONDS).
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class RotationTarget:
    """A secret and how it rotates; stores also name the resource whose credential it holds."""

    secret: aws.secretsmanager.Secret
    kind: RotationKind
    resource_id: pulumi.Input[str] | None = None  # cluster identifier / replication group id
    resource_arn: pulumi.Input[str] | None = None

    @property
    def service_statement(self) -> dict | None:
        """The one control-plane permission this secret's rotation needs on its store."""
        actions = {
            "docdb-master": ["rds:ModifyDBCluster", "rds:DescribeDBClusters"],  # DocumentDB's IAM namespace is rds:
            "elasticache-auth": ["elasticache:ModifyReplicationGroup", "elasticache:DescribeReplicationGroups"],
        }.get(self.kind)
        return {"Effect": "Allow", "Action": actions, "Resource": self.resource_arn} if actions else None


class SecretRotator(pulumi.ComponentResource):
    """The rotation function (python3.12, outside any VPC: it only calls AWS APIs), its
    least-privilege role and log group, and every target rotated by it every
    `secrets.rotation_days` days. `context` is the data tier's (keys, log retention, secrets)."""

    function: aws.lambda_.Function
    rotations: dict[str, aws.secretsmanager.SecretRotation]

    def __init__(
        self,
        name: str,
        context: StoreContext,
        targets: dict[str, RotationTarget],
        *,
        function_name: str,
        region: str,
        account_id: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:rotation:SecretRotator", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        log_group = encrypted_log_group(
            f"{name}-log", f"/aws/lambda/{function_name}", context.log_retention_days, context.logs_key, self
        )
        role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("lambda.amazonaws.com"), opts=child)
        # Built, not read from the function: the function waits for this policy (depends_on).
        own_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        access = aws.iam.RolePolicy(
            f"{name}-access",
            role=role.id,
            policy=self._policy(targets, context.key, region, log_group, own_arn),
            opts=child,
        )
        self.function = aws.lambda_.Function(
            f"{name}-function",
            name=function_name,
            description="Rotates the stack's Secrets Manager secrets (SEC-2)",
            runtime="python3.12",
            handler="handler.lambda_handler",
            code=pulumi.AssetArchive({"handler.py": pulumi.FileAsset(str(HANDLER_SOURCE))}),
            role=role.arn,
            timeout=TIMEOUT_SECONDS,
            memory_size=128,
            # No reserved concurrency: reserving takes from the account's unreserved pool, which
            # AWS keeps at 100 at least, so accounts with a low quota refuse any reservation.
            # Only Secrets Manager (this account) may invoke it, once per rotating secret.
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={
                    # ARNs and store identifiers only: which secret rotates how, never a value.
                    "ROTATION_TARGETS": pulumi.Output.json_dumps(
                        {t.secret.arn: {"kind": t.kind, "target": t.resource_id} for t in targets.values()}
                    )
                }
            ),
            # The data key, like the secrets these variables name (DB-2, SEC-1). The deploying
            # principal needs kms:CreateGrant and kms:Encrypt on it to set this (Lambda creates a
            # grant for the execution role with the caller's permissions) and kms:Decrypt to read
            # the variables back (Lambda Developer Guide, "Securing Lambda environment
            # variables"); the data key's policy leaves both to IAM (AccountAdministers).
            kms_key_arn=context.key.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, access]),
        )
        invoke = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="secretsmanager.amazonaws.com",
            source_account=account_id,
            opts=child,
        )
        # Creating the schedule runs testSecret once, so the function must be invocable by then.
        self.rotations = {
            label: aws.secretsmanager.SecretRotation(
                f"{name}-{label}",
                secret_id=target.secret.id,
                rotation_lambda_arn=self.function.arn,
                rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                    automatically_after_days=context.secrets.rotation_days
                ),
                rotate_immediately=False,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[invoke]),
            )
            for label, target in targets.items()
        }
        self.function_arn = self.function.arn
        self.register_outputs({"function_arn": self.function_arn})

    @staticmethod
    def _policy(
        targets: dict[str, RotationTarget],
        data_key: aws.kms.Key,
        region: str,
        log_group: aws.cloudwatch.LogGroup,
        function_arn: str,
    ) -> pulumi.Output[str]:
        statements = [
            {
                "Sid": "RotateTheseSecrets",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                "Resource": [t.secret.arn for t in targets.values()],
            },
            # GetRandomPassword has no resource-level permissions (AWS).
            {
                "Sid": "GeneratePasswords",
                "Effect": "Allow",
                "Action": "secretsmanager:GetRandomPassword",
                "Resource": "*",
            },
            {
                "Sid": "UseTheDataKeyThroughSecretsManager",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": data_key.arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            },
            # Lambda decrypts the variables at each cold start as the execution role, outside the
            # function's code (Lambda Developer Guide, "execution role" credentials), through
            # Lambda (the KMS guide lists lambda.<region> for kms:ViaService) and under the
            # context aws:lambda:FunctionArn. Its grant allows this too; the statement keeps the
            # right in the role's own policy, as narrow. kms:EncryptionContext:LambdaFunctionName
            # is the console helpers' client-side context: nothing here is encrypted that way.
            {
                "Sid": "DecryptOwnEnvironment",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": data_key.arn,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": f"lambda.{region}.amazonaws.com",
                        "kms:EncryptionContext:aws:lambda:FunctionArn": function_arn,
                    }
                },
            },
            *(
                {"Sid": f"SetNew{label.title().replace('-', '')}Credential", **statement}
                for label, target in targets.items()
                if (statement := target.service_statement)
            ),
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(log_group.arn, ":*"),
            },
        ]
        return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})
