"""Secrets Manager secrets under the data CMK (SEC-1): the application's own secrets, and the
helper every store uses to keep a generated credential."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..config.data import SecretsSettings
from ..foundation.protection import Protection
from .rotation import RotationTarget

# The application's secrets (seed: JWT_SECRET, SESSION_SECRET, API_KEY and the field encryption key).
APP_SECRETS = {
    "jwt-secret": "signs and verifies the API's JSON web tokens",
    "session-secret": "signs session cookies",
    "api-key": "authenticates service-to-service calls to the API",
}
ENCRYPTION_KEY = "encryption-key"
FIRST_KEY_ID = "k1"


def keyring(first_key: pulumi.Input[str]) -> dict:
    """The encryption key secret's shape: `{"active": id, "keys": {id: base64 key}}`. The rotation
    function (rotation_lambda/handler.py, kind `keyring`) adds keys and moves `active`."""
    return {"active": FIRST_KEY_ID, "keys": {FIRST_KEY_ID: first_key}}


def rotation_keepers(settings: SecretsSettings) -> dict[str, str]:
    """A new `secrets.rotated_on` date replaces every generated value on the next `pulumi up`: the
    emergency path; scheduled rotation is the rotation function's (components/rotation.py, SEC-2)."""
    return {"rotated_on": settings.rotated_on.isoformat() if settings.rotated_on else "initial"}


def stored_secret(
    name: str,
    *,
    secret_name: str,
    description: str,
    value: pulumi.Input[str],
    key: aws.kms.Key,
    protection: Protection,
    parent: pulumi.Resource,
) -> aws.secretsmanager.Secret:
    """`value` (a secret Output) kept in Secrets Manager, encrypted with `key`."""
    secret = aws.secretsmanager.Secret(
        name,
        name=secret_name,
        description=description,
        kms_key_id=key.arn,
        # A deleted secret can be restored for this long; prod gives people the maximum.
        recovery_window_in_days=protection.recovery_window_days,
        opts=protection.options(parent),
    )
    aws.secretsmanager.SecretVersion(
        f"{name}-value",
        secret_id=secret.id,
        secret_string=pulumi.Output.secret(value),
        # The rotation function moves AWSCURRENT to its own versions; Pulumi must not move it
        # back. A new value from Pulumi (`rotated_on`) still writes a new version (SEC-2).
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["versionStages"]),
    )
    return secret


def generated_password(
    name: str, *, length: int, override_special: str, settings: SecretsSettings, parent: pulumi.Resource
) -> random.RandomPassword:
    """A password within an AWS service's character rules; `override_special` lists the only
    punctuation that service accepts."""
    return random.RandomPassword(
        name,
        length=length,
        special=True,
        override_special=override_special,
        min_upper=2,
        min_lower=2,
        min_numeric=2,
        keepers=rotation_keepers(settings),
        opts=pulumi.ResourceOptions(parent=parent),
    )


class AppSecrets(pulumi.ComponentResource):
    """JWT, session and API secrets (64 random characters) and a 256-bit encryption key, generated
    by pulumi-random and kept only in Secrets Manager. The application's instance role is the one
    principal granted read access (by the compute tier, from `arns`)."""

    secrets: dict[str, aws.secretsmanager.Secret]
    arns: list[pulumi.Output[str]]
    names: list[pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: SecretsSettings,
        prefix: str,
        key: aws.kms.Key,
        protection: Protection,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:secrets:AppSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        values: dict[str, pulumi.Output[str]] = {
            label: random.RandomPassword(
                f"{name}-{label}-random", length=64, special=False, keepers=rotation_keepers(settings), opts=child
            ).result
            for label in APP_SECRETS
        }
        # A key that encrypted stored data must stay readable for as long as the data does, so this
        # one is a keyring that rotation extends and never replaces: no keepers (a new rotated_on
        # date must not replace it), and the rotation function appends a new active key.
        first_key = random.RandomBytes(f"{name}-{ENCRYPTION_KEY}-random", length=32, opts=child).base64
        values[ENCRYPTION_KEY] = pulumi.Output.json_dumps(keyring(first_key))
        descriptions = {
            **APP_SECRETS,
            ENCRYPTION_KEY: "keyring for application field encryption: encrypt with the active 256-bit key, "
            "decrypt with the key whose id the ciphertext carries",
        }

        self.secrets = {
            label: stored_secret(
                f"{name}-{label}",
                secret_name=f"{prefix}/app/{label}",
                description=f"{prefix}: {descriptions[label]}",
                value=value,
                key=key,
                protection=protection,
                parent=self,
            )
            for label, value in values.items()
        }
        # SEC-2: the rotation function replaces each with a value of the same shape.
        self.rotation_targets = {
            label: RotationTarget(secret, "keyring" if label == ENCRYPTION_KEY else "random")
            for label, secret in self.secrets.items()
        }
        self.arns = [s.arn for s in self.secrets.values()]
        self.names = [s.name for s in self.secrets.values()]
        self.register_outputs({"arns": self.arns, "names": self.names})
