"""The shared secret CloudFront sends to the ALB, so only our distribution reaches the origin."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..foundation.protection import UNPROTECTED, Protection

HEADER_NAME = "X-Origin-Verify"


class OriginSecret(pulumi.ComponentResource):
    """A generated header value, kept in Secrets Manager under the data key (SEC-1). `value` is
    a secret Output: it reaches CloudFront's origin config and the ALB rule, never plaintext."""

    header_name = HEADER_NAME

    def __init__(
        self,
        name: str,
        key: aws.kms.Key,
        keepers: Mapping[str, str],
        protection: Protection = UNPROTECTED,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:origin_secret:OriginSecret", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Header-safe characters only; 64 alphanumerics are ~380 bits. A new `keepers` value (the
        # stack's secrets.rotated_on date) rotates it: CloudFront and the ALB rule follow in the
        # same `pulumi up` (SEC-2).
        self.password = random.RandomPassword(
            f"{name}-value", length=64, special=False, keepers=dict(keepers), opts=child
        )
        self.secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            description="CloudFront-to-ALB origin verification header value",
            kms_key_id=key.arn,
            recovery_window_in_days=protection.recovery_window_days,
            opts=protection.options(self),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-version", secret_id=self.secret.id, secret_string=self.password.result, opts=child
        )
        self.value = pulumi.Output.secret(self.password.result)
        self.arn = self.secret.arn
        self.register_outputs({"arn": self.arn})
