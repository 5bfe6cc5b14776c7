"""Certificates and the origin secret: DNS-validated TLS (NET-8), secrets never in plaintext (SEC-1)."""

from __future__ import annotations

import json

import pulumi_aws as aws

from components.config.edge import OriginSecretSettings
from components.edge.origin_secret import OriginSecret
from pulumi_offline.program import reveal, run
from tests.graph import region_of

DOMAIN = {"staging": "staging.example.com", "prod": "app.example.com"}
ZONE = {"staging": "Z0STAGING0EXAMPLE0001", "prod": "Z0PROD000EXAMPLE00001"}


def test_certificates_are_dns_validated_in_the_configured_zone(stack):
    for use, host in (("alb", f"origin.{DOMAIN[stack.stack]}"), ("cdn", DOMAIN[stack.stack])):
        certificate = stack.named(f"{stack.stack}-{use}-cert-cert")
        assert certificate.inputs["domainName"] == host and certificate.inputs["validationMethod"] == "DNS"
        record = stack.named(f"{stack.stack}-{use}-cert-validation-record")
        (option,) = certificate.outputs["domainValidationOptions"]
        assert record.inputs["zoneId"] == ZONE[stack.stack]
        assert (record.inputs["name"], record.inputs["records"]) == (
            option["resourceRecordName"],
            [option["resourceRecordValue"]],
        )
        validation = stack.named(f"{stack.stack}-{use}-cert-validation")
        assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]


def test_alb_certificate_is_regional_and_cloudfronts_is_in_us_east_1(stack):
    def provider(use):
        return stack.by_urn(stack.named(f"{stack.stack}-{use}-cert-cert").provider_urn).name

    assert provider("alb") == f"{stack.stack}-aws"
    assert provider("cdn") == f"{stack.stack}-aws-global"
    assert region_of(stack, stack.named(f"{stack.stack}-cdn-cert-cert")) == "us-east-1"


def test_origin_secret_lives_in_secrets_manager_under_the_data_key(stack):
    secret = stack.named(f"{stack.stack}-origin-secret-secret")
    assert secret.inputs["kmsKeyId"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    version = stack.named(f"{stack.stack}-origin-secret-version")
    assert "secretString" in version.secret_inputs


def test_origin_secret_value_appears_only_in_secret_inputs_and_never_in_outputs(stack):
    value = reveal(stack.named(f"{stack.stack}-origin-secret-value").outputs["result"])
    assert len(value) >= 32
    for registration in stack:
        for key, input_value in registration.inputs.items():
            if value in json.dumps(input_value, default=str):
                assert key in registration.secret_inputs, (registration.name, key)
    assert value not in json.dumps(stack.outputs, default=str)


def test_both_origin_values_stay_secret(stack):
    for name in ("value", "value-b"):
        value = reveal(stack.named(f"{stack.stack}-origin-secret-{name}").outputs["result"])
        assert value not in json.dumps(stack.outputs, default=str)
        for registration in stack:
            for key, input_value in registration.inputs.items():
                if value in json.dumps(input_value, default=str):
                    assert key in registration.secret_inputs, (registration.name, key)


def origin_secret_run(settings: dict):
    """Just the component, with `edge.origin_secret` = settings (no stack run)."""

    def program():
        OriginSecret("o", aws.kms.Key("k"), OriginSecretSettings.model_validate(settings))

    graph = run(program)
    slots = {"a": graph.named("o-value"), "b": graph.named("o-value-b")}
    values = {slot: reveal(r.outputs["result"]) for slot, r in slots.items()}
    stored = json.loads(reveal(graph.named("o-version").inputs["secretString"]))
    assert stored["values"] == values and stored["header"] == "X-Origin-Verify"
    return stored["sends"], values, {slot: r.inputs["keepers"] for slot, r in slots.items()}


def test_an_origin_secret_rotation_regenerates_only_the_slot_cloudfront_does_not_send():
    # Step 1: a new date for the idle slot regenerates only it; CloudFront keeps sending `a`.
    _, _, before = origin_secret_run({})
    sends, _, after = origin_secret_run({"sends": "a", "rotated_on": {"b": "2026-11-01"}})
    assert after == {"a": before["a"], "b": {"rotated_on": "2026-11-01"}} and sends == "a"
    # Step 2: CloudFront moves to `b`; neither value changes, so the ALB accepts both throughout.
    sends, _, moved = origin_secret_run({"sends": "b", "rotated_on": {"b": "2026-11-01"}})
    assert moved == after and sends == "b"
