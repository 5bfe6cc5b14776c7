"""Launch configurations and spot instance requests: the same host rules as launch templates and
instances (HOST-1…4, SEC-1), which these older ways to launch EC2 instances would otherwise escape.

The checks are `compute.py`'s; only the policies are declared here, one literal name each.
"""

from __future__ import annotations

from . import _types as t
from ._helpers import get, items, text
from ._policy import CRITICAL, HIGH, MEDIUM, resource_policy
from .compute import _IMDS, _hop_limit, _imdsv2, _instance_public_ip, _instance_volumes, _no_key_pair, _unencrypted
from .compute import _user_data as _user_data_secrets


def _launch_configuration_volumes(args, cfg):
    # Launch configurations have no per-volume KMS key: encrypted volumes use the account's
    # default EBS key (aws.ebs.DefaultKmsKey), so only `encrypted` can be required here.
    root = get(args.props, "rootBlockDevice")
    volumes = [("root", root)] if root is not None else []
    volumes += [(text(get(d, "deviceName")), d) for d in items(get(args.props, "ebsBlockDevices"))]
    if root is None and not cfg["acceptAccountDefaultEncryption"]:
        yield "no root_block_device: declare it with encrypted=True"
    yield from _unencrypted(volumes, {"requireCustomerManagedKey": False})


_HOP_CONFIG = {"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1}}
_METADATA = "metadata_options={'http_tokens': 'required', 'http_endpoint': 'enabled', 'http_put_response_hop_limit': 1}"
_LC = "aws.ec2.LaunchConfiguration(image_id=..., instance_type='t3.medium', "
_SPOT = "aws.ec2.SpotInstanceRequest(ami=..., instance_type='t3.medium', subnet_id=private_subnet.id, "


def _host_rules(types, make: str, *, imds: str, hops: str, key: str, public_ip: str, user_data: str) -> list:
    """The HOST/SEC policies both resource kinds share (names passed as literals, so grep finds them)."""
    return [
        resource_policy(
            imds,
            types=types,
            description=_IMDS,
            severity=HIGH,
            checklist=("HOST-2",),
            remediation=f"Set {make}{_METADATA}).",
            check=_imdsv2,
        ),
        resource_policy(
            hops,
            types=types,
            description="The metadata token hop limit is 1, so containers and forwarded traffic cannot reach IMDS.",
            severity=MEDIUM,
            checklist=("HOST-2",),
            remediation=f"Set {make}{_METADATA}).",
            check=_hop_limit,
            config=_HOP_CONFIG,
        ),
        resource_policy(
            key,
            types=types,
            description="No SSH key pairs: operator access goes through SSM Session Manager.",
            severity=HIGH,
            checklist=("HOST-1",),
            remediation=f"Remove key_name from {make}...) and attach AmazonSSMManagedInstanceCore to the "
            "instance role.",
            check=_no_key_pair,
        ),
        resource_policy(
            public_ip,
            types=types,
            description="Instances have no public IP; they sit in private subnets behind the load balancer.",
            severity=HIGH,
            checklist=("HOST-4",),
            remediation=f"Set {make}associate_public_ip_address=False) and launch into private subnets.",
            check=_instance_public_ip,
        ),
        resource_policy(
            user_data,
            types=types,
            description="User data carries no plaintext secrets (anyone who can describe the instance reads it).",
            severity=CRITICAL,
            checklist=("SEC-1",),
            remediation="Read secrets at boot with `aws secretsmanager get-secret-value` using the instance role.",
            check=_user_data_secrets,
        ),
    ]


POLICIES = [
    *_host_rules(
        t.LAUNCH_CONFIGURATION,
        _LC,
        imds="ec2-launchconfiguration-imdsv2-required",
        hops="ec2-launchconfiguration-imds-hop-limit",
        key="ec2-launchconfiguration-no-key-pair",
        public_ip="ec2-launchconfiguration-no-public-ip",
        user_data="ec2-launchconfiguration-user-data-no-secrets",
    ),
    resource_policy(
        "ec2-launchconfiguration-volumes-encrypted",
        types=t.LAUNCH_CONFIGURATION,
        description="Every EBS volume of a launch configuration is encrypted (with the account's default EBS "
        "key, which aws.ebs.DefaultKmsKey points at a customer-managed key).",
        severity=HIGH,
        checklist=("HOST-3", "DB-2"),
        remediation=f"Set {_LC}root_block_device={{'encrypted': True, 'volume_size': 30}}) and "
        "aws.ebs.DefaultKmsKey(key_arn=key.arn); better, replace it with an aws.ec2.LaunchTemplate.",
        check=_launch_configuration_volumes,
        config={"acceptAccountDefaultEncryption": {"type": "boolean", "default": False}},
    ),
    *_host_rules(
        t.SPOT_INSTANCE_REQUEST,
        _SPOT,
        imds="ec2-spotinstancerequest-imdsv2-required",
        hops="ec2-spotinstancerequest-imds-hop-limit",
        key="ec2-spotinstancerequest-no-key-pair",
        public_ip="ec2-spotinstancerequest-no-public-ip",
        user_data="ec2-spotinstancerequest-user-data-no-secrets",
    ),
    resource_policy(
        "ec2-spotinstancerequest-volumes-encrypted",
        types=t.SPOT_INSTANCE_REQUEST,
        description="Every EBS volume of a spot instance is encrypted with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("HOST-3", "DB-2"),
        remediation=f"Set {_SPOT}root_block_device={{'encrypted': True, 'kms_key_id': key.arn}}).",
        check=_instance_volumes,
        config={
            "requireCustomerManagedKey": {"type": "boolean", "default": True},
            "acceptAccountDefaultEncryption": {"type": "boolean", "default": False},
        },
    ),
]
