"""Secrets (SEC-1, SEC-2): generated into Secrets Manager under the data CMK, never in plaintext."""

from __future__ import annotations

import json

from components.config.data import SecretsSettings
from components.data.secrets import rotation_keepers
from pulumi_offline.program import Secret, reveal
from tests.conftest import build

SECRET = "aws:secretsmanager/secret:Secret"
APP_SECRETS = ("jwt-secret", "session-secret", "api-key", "encryption-key")


def generated_values(graph, forms=("result", "base64", "hex")) -> set[str]:
    """Every value pulumi-random produced in this stack (in each of its `forms`)."""
    values = set()
    for resource in graph:
        if resource.type.startswith("random:"):
            for key in forms:
                if key in resource.outputs:
                    values.add(reveal(resource.outputs[key]))
    return values


def plaintext_strings(value, inside_secret=False):
    """Every string in `value` that is not wrapped in a Secret."""
    if isinstance(value, Secret):
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from plaintext_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from plaintext_strings(v)
    elif isinstance(value, str):
        yield value


def leaks(graph) -> list[str]:
    secrets = generated_values(graph)
    found = []
    for resource in graph:
        for where, values in (("inputs", resource.raw_inputs), ("outputs", resource.outputs)):
            if resource.type.startswith("random:") and where == "outputs":
                continue  # the generator itself, whose result the SDK marks secret
            for text in plaintext_strings(values):
                if any(s in text for s in secrets):
                    found.append(f"{resource.name} {where}")
    for text in plaintext_strings(graph.outputs):
        if any(s in text for s in secrets):
            found.append("stack outputs")
    return found


def test_no_generated_secret_appears_in_plaintext_anywhere(stack):
    # 3 passwords, the encryption key (base64 and hex), the DocumentDB password, the cache token,
    # CloudFront's two origin header values.
    assert len(generated_values(stack)) == 9
    assert leaks(stack) == []


def test_generated_secrets_do_reach_their_stores_wrapped_as_secrets(stack):
    """The leak check above looks at real values: they are in the graph, only never unwrapped."""
    versions = stack.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    stored = " ".join(str(reveal(v.raw_inputs["secretString"])) for v in versions)
    assert all(value in stored for value in generated_values(stack, forms=("result", "base64")))
    assert all("secretString" in v.secret_inputs for v in versions)


def test_application_secrets_live_in_secrets_manager_under_the_data_cmk(stack):
    data_key = stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    names = {r.inputs.get("name") for r in stack.of_type(SECRET)}
    assert {f"platform/{stack.stack}/app/{label}" for label in APP_SECRETS} <= names
    for secret in stack.of_type(SECRET):
        assert secret.inputs["kmsKeyId"] == data_key, secret.name


def test_stack_exports_secret_arns_but_no_secret_values(stack):
    arns = stack.outputs["app_secret_arns"]
    assert len(arns) == 4 and all(a.startswith("arn:aws:secretsmanager:us-east-1:") for a in arns)
    assert stack.outputs["docdb_secret_arn"].startswith("arn:aws:secretsmanager:")
    assert stack.outputs["cache_secret_arn"].startswith("arn:aws:secretsmanager:")


def test_encryption_key_is_a_keyring_of_one_256_bit_key_to_start(stack):
    key = stack.named(f"{stack.stack}-secrets-encryption-key-random")
    assert key.type == "random:index/randomBytes:RandomBytes" and key.inputs["length"] == 32
    stored = json.loads(stack.named(f"{stack.stack}-secrets-encryption-key-value").inputs["secretString"])
    assert stored == {"active": "k1", "keys": {"k1": reveal(key.outputs["base64"])}}


def test_prod_secrets_are_protected_and_recoverable_for_30_days(prod, staging):
    for secret in prod.of_type(SECRET):
        assert secret.protect and secret.inputs["recoveryWindowInDays"] == 30
    assert not any(s.protect for s in staging.of_type(SECRET))


def test_a_new_rotation_date_regenerates_every_generated_secret():
    assert rotation_keepers(SecretsSettings()) == {"rotated_on": "initial"}
    rotated = build("staging", extra_config={"platform:secrets": '{"rotated_on": "2026-11-01"}'})
    randoms = {r.name: r.inputs.get("keepers") for r in rotated if r.type.startswith("random:")}
    # The encryption key is the exception: replacing it would make stored data unreadable, so it
    # has no keepers and rotates by gaining a key (the rotation function, kind `keyring`).
    assert randoms.pop("staging-secrets-encryption-key-random") is None
    # CloudFront's origin header rotates by slot (edge.origin_secret.rotated_on, docs/edge.md).
    assert randoms.pop("staging-origin-secret-value") == randoms.pop("staging-origin-secret-value-b")
    assert len(randoms) == 5  # the other data-tier values
    assert all(keepers == {"rotated_on": "2026-11-01"} for keepers in randoms.values())
