"""The shared secret CloudFront sends to the ALB, so only our distribution reaches the origin."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..config.edge import OriginSecretSettings, OriginSecretSlot
from ..foundation.protection import UNPROTECTED, Protection

HEADER_NAME = "X-Origin-Verify"
SLOTS: tuple[OriginSecretSlot, ...] = ("a", "b")


class OriginSecret(pulumi.ComponentResource):
    """Two generated header values (slots `a` and `b`): the ALB accepts both, CloudFront sends
    `settings.sends`. CloudFront takes minutes to deploy a change to every edge location while the
    ALB rule changes at once, so a rotation never changes the value being sent and the accepted
    set in one `pulumi up`: regenerate the idle slot (`rotated_on`), then switch `sends` to it
    (SEC-2, docs/edge.md). Both values, and which one is sent, are kept in Secrets Manager under
    the data key (SEC-1); they are secret Outputs, never plaintext."""

    header_name = HEADER_NAME

    def __init__(
        self,
        name: str,
        key: aws.kms.Key,
        settings: OriginSecretSettings,
        protection: Protection = UNPROTECTED,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:origin_secret:OriginSecret", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Header-safe characters only; 64 alphanumerics are ~380 bits. Slot `a` keeps the
        # original resource name, so its URN is the one-value component's.
        self.passwords = {
            slot: random.RandomPassword(
                f"{name}-value" if slot == "a" else f"{name}-value-{slot}",
                length=64,
                special=False,
                keepers={"rotated_on": when.isoformat() if (when := settings.rotated_on.get(slot)) else "initial"},
                opts=child,
            )
            for slot in SLOTS
        }
        self.secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            description="CloudFront-to-ALB origin verification header: both accepted values, the one sent",
            kms_key_id=key.arn,
            recovery_window_in_days=protection.recovery_window_days,
            opts=protection.options(self),
        )
        sent = self.passwords[settings.sends].result
        stored = {
            "header": HEADER_NAME,
            "sends": settings.sends,
            "values": {s: p.result for s, p in self.passwords.items()},
        }
        aws.secretsmanager.SecretVersion(
            f"{name}-version",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(stored)),
            opts=child,
        )
        self.value = pulumi.Output.secret(sent)
        self.accepted = [pulumi.Output.secret(self.passwords[slot].result) for slot in SLOTS]
        self.arn = self.secret.arn
        self.register_outputs({"arn": self.arn})
