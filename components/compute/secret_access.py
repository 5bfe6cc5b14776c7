"""What the application may do with its secrets, on either platform: read exactly the secrets it
is handed, and decrypt them through Secrets Manager only (SEC-1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws


def secret_read_statements(
    secret_arns: Mapping[str, pulumi.Input[str]], data_key: aws.kms.Key, region: str
) -> list[dict[str, Any]]:
    """IAM statements reading `secret_arns` (none when there are no secrets)."""
    if not secret_arns:
        return []
    return [
        {
            "Sid": "ReadAppSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": list(secret_arns.values()),
        },
        {
            "Sid": "DecryptAppSecrets",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": data_key.arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
        },
    ]
