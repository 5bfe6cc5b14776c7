"""Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policies`)."""

from pulumi_policy import PolicyPack

from hardening import ALL, PACK_ENFORCEMENT, PACK_NAME, _decode_once

# Each resource decoded once per request instead of once per policy (see the module).
_decode_once.install()

PolicyPack(
    name=PACK_NAME,
    policies=ALL,
    enforcement_level=PACK_ENFORCEMENT,
    description="AlAwael ERP hardening checklist for Pulumi AWS and Kubernetes programs (see docs/policies.md).",
)
