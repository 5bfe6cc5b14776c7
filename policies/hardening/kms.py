"""KMS key-policy policies: no unconditioned `*` principals, no lockout-safety bypass.

Key rotation and deletion windows are checked in `secrets.py`. A key's policy is either inline
(`kms.Key(policy=...)`, `kms.ReplicaKey(policy=...)`) or a separate `kms.KeyPolicy`; all are read.
"""

from __future__ import annotations

from . import _documents as doc
from . import _types as t
from ._helpers import flag, get
from ._policy import CRITICAL, HIGH, resource_policy

_WITH_POLICY = t.KMS_KEY + t.KMS_REPLICA_KEY + t.KMS_KEY_POLICY


def _public(args, _cfg):
    yield from doc.public_statements(get(args.props, "policy"))


def _lockout_bypass(args, _cfg):
    if flag(get(args.props, "bypassPolicyLockoutSafetyCheck")):
        yield "bypass_policy_lockout_safety_check is true: a policy that locks out every administrator is accepted"


POLICIES = [
    resource_policy(
        "kms-key-policy-no-public-principal",
        types=_WITH_POLICY,
        description="No key policy lets every AWS account use or manage the key: a `*` principal is tied to "
        "the account (kms:CallerAccount) or the calling service's source.",
        severity=CRITICAL,
        checklist=("IAM-3", "SEC-1"),
        remediation="In aws.kms.Key(policy=...) / aws.kms.KeyPolicy(key_id=key.id, policy=...) name the "
        "account root ('arn:aws:iam::<account id>:root') or roles, or keep 'Principal': {'AWS': '*'} only with "
        "{'StringEquals': {'kms:CallerAccount': <account id>, 'kms:ViaService': 'rds.<region>.amazonaws.com'}}.",
        check=_public,
    ),
    resource_policy(
        "kms-key-no-lockout-bypass",
        types=_WITH_POLICY,
        description="Key policies keep KMS's lockout safety check: bypassing it lets a policy make the key "
        "unmanageable, and everything encrypted under it unrecoverable without AWS Support.",
        severity=HIGH,
        checklist=("DB-7", "IAM-1"),
        remediation="Remove bypass_policy_lockout_safety_check=True from aws.kms.Key / aws.kms.KeyPolicy / "
        "aws.kms.ReplicaKey (it defaults to False).",
        check=_lockout_bypass,
    ),
]
