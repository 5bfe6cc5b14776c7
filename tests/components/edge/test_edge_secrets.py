"""Certificates and the origin secret: DNS-validated TLS (NET-8), secrets never in plaintext (SEC-1)."""

from __future__ import annotations

import json

from pulumi_offline.program import reveal
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
