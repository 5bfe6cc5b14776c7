"""Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policies`)."""

from pulumi_policy import PolicyPack

from hardening import ALL, PACK_ENFORCEMENT, PACK_NAME, _fast_servicer

# Per request only the work that can find something: each resource decoded once, handed to
# the policies for its type, the stack built once (see the module).
_fast_servicer.install()

PolicyPack(
    name=PACK_NAME,
    policies=ALL,
    enforcement_level=PACK_ENFORCEMENT,
    description="AlAwael ERP hardening checklist for Pulumi AWS and Kubernetes programs (see docs/policies.md).",
)
