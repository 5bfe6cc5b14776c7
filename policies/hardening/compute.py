"""Compute policies: launch templates, instances, Auto Scaling groups, EBS volumes."""

from __future__ import annotations

from typing import NamedTuple

from . import _secrets_scan as scan
from . import _types as t
from ._helpers import flag, get, items, known, number, strings, text
from ._policy import ADVISORY, CRITICAL, HIGH, LOW, MEDIUM, Stack, resource_policy, stack_policy


def _imdsv2(args, _cfg):
    options = get(args.props, "metadataOptions")
    if text(get(options, "httpEndpoint")) == "disabled":
        return
    if text(get(options, "httpTokens")) != "required":
        yield f"metadataOptions.httpTokens is {text(get(options, 'httpTokens')) or 'unset'}; IMDSv2 needs 'required'"


def _hop_limit(args, cfg):
    options = get(args.props, "metadataOptions")
    if text(get(options, "httpEndpoint")) == "disabled":
        return
    hops = number(get(options, "httpPutResponseHopLimit"))
    # Unset means "whatever the AMI says" (Amazon Linux 2023 AMIs say 2).
    if hops is None or hops > cfg["maxHopLimit"]:
        shown = "unset" if hops is None else int(hops)
        yield f"metadataOptions.httpPutResponseHopLimit is {shown}; at most {cfg['maxHopLimit']} is allowed"


def _no_key_pair(args, _cfg):
    if get(args.props, "keyName"):
        yield f"key pair '{text(get(args.props, 'keyName'))}' is attached; use SSM Session Manager instead"


def _launch_template_public_ip(args, _cfg):
    for interface in items(get(args.props, "networkInterfaces")):
        if flag(get(interface, "associatePublicIpAddress")):
            yield "a network interface has associatePublicIpAddress=true"


def _instance_public_ip(args, _cfg):
    if args.resource_type in t.EIP + t.EIP_ASSOCIATION:
        # An Elastic IP on an instance is a public IP too (one for a NAT gateway names no instance).
        if get(args.props, "instance") or get(args.props, "instanceId"):
            yield "an Elastic IP is associated with an instance"
    elif flag(get(args.props, "associatePublicIpAddress")):
        yield "associatePublicIpAddress is true"


def _unencrypted(volumes: list[tuple[str, object]], cfg) -> list[str]:
    problems = []
    for name, ebs in volumes:
        label = f"volume {name}" if name else "the volume"
        if not flag(get(ebs, "encrypted")):
            problems.append(f"{label} is not encrypted")
        elif cfg["requireCustomerManagedKey"] and not get(ebs, "kmsKeyId"):
            problems.append(f"{label} uses the AWS-managed key, not a customer-managed KMS key")
    return problems


def _launch_template_volumes(args, cfg):
    mappings = [m for m in items(get(args.props, "blockDeviceMappings")) if get(m, "ebs") is not None]
    if not mappings and not cfg["acceptAccountDefaultEncryption"]:
        yield "no block device mappings: declare the root volume with ebs.encrypted='true' and a kms_key_id"
    yield from _unencrypted([(text(get(m, "deviceName")), get(m, "ebs")) for m in mappings], cfg)


def _instance_volumes(args, cfg):
    root = get(args.props, "rootBlockDevice")
    volumes = [("root", root)] if root is not None else []
    volumes += [(text(get(d, "deviceName")), d) for d in items(get(args.props, "ebsBlockDevices"))]
    if root is None and not cfg["acceptAccountDefaultEncryption"]:
        yield "no root_block_device: declare it with encrypted=True and a kms_key_id"
    yield from _unencrypted(volumes, cfg)


def _volume_encrypted(args, cfg):
    yield from _unencrypted([("", args.props)], cfg)


def _user_data(args, _cfg):
    for key in ("userData", "userDataBase64"):
        for finding in scan.findings(scan.decode_user_data(text(get(args.props, key)))):
            yield f"user data contains {finding}; fetch secrets from Secrets Manager at boot instead"


def _ami_from_ssm(args, _cfg):
    image = text(get(args.props, "imageId"))
    if image and not image.startswith("resolve:ssm:"):
        yield f"imageId {image} is pinned; use 'resolve:ssm:<vendor parameter>' so launches get the patched image"


def _asg_health_check(stack: Stack, _cfg):
    for group in stack.of(t.AUTOSCALING_GROUP):
        props = group.props
        inline = any(items(known(get, props, key)) for key in ("targetGroupArns", "loadBalancers", "trafficSources"))
        # Attached separately: aws.autoscaling.Attachment or TrafficSourceAttachment.
        attached = inline or stack.referrers(t.AUTOSCALING_ATTACHMENT, group, "autoscalingGroupName")
        if attached and text(known(get, props, "healthCheckType", default="ELB")) not in ("ELB", "ELB,EBS", "EBS,ELB"):
            yield (
                f"Auto Scaling group '{group.name}' is behind a load balancer but health_check_type is not 'ELB': "
                "instances failing its health checks are not replaced",
                group.urn,
            )


def _asg_capacity(args, cfg):
    low, high = number(get(args.props, "minSize")), number(get(args.props, "maxSize"))
    if low == 0 and number(get(args.props, "desiredCapacity")) == 0:
        return  # a parked group, e.g. the idle colour of a blue-green pair, serves no traffic
    if low is None or low < cfg["minSize"]:
        yield f"minSize is {int(low or 0)}; at least {cfg['minSize']} instances are required"
    if high is not None and high < cfg["maxSize"]:
        yield f"maxSize is {int(high)}; it must allow scaling out to {cfg['maxSize']}"


def _asg_multi_az(args, cfg):
    zones = len(strings(get(args.props, "vpcZoneIdentifiers"))) or len(strings(get(args.props, "availabilityZones")))
    if zones < cfg["minZones"]:
        yield f"the group spans {zones} subnet(s)/zone(s); at least {cfg['minZones']} are required"


def _asg_launch_template(args, _cfg):
    if get(args.props, "launchConfiguration") or not (
        get(args.props, "launchTemplate") or get(args.props, "mixedInstancesPolicy")
    ):
        yield "the group does not use a launch template"


def _asg_refresh(args, _cfg):
    if text(get(args.props, "instanceRefresh", "strategy")) != "Rolling":
        yield "instance_refresh with strategy 'Rolling' is not configured: new images never reach running instances"


def _asg_refresh_capacity(args, cfg):
    refresh = get(args.props, "instanceRefresh")
    if refresh is None:
        return
    healthy = number(get(refresh, "preferences", "minHealthyPercentage"))
    # AWS defaults minHealthyPercentage to 90.
    if (90 if healthy is None else healthy) < cfg["minHealthyPercentage"]:
        yield (
            f"instance refresh keeps {int(90 if healthy is None else healthy)}% healthy; "
            f"at least {cfg['minHealthyPercentage']}% keeps capacity during rollouts"
        )


def _asg_cpu_scaling(stack: Stack, cfg):
    for group in stack.of(t.AUTOSCALING_GROUP):
        targets = []
        for policy in stack.referrers(t.AUTOSCALING_POLICY, group, "autoscalingGroupName"):
            tracking = get(policy.props, "targetTrackingConfiguration")
            metric = text(get(tracking, "predefinedMetricSpecification", "predefinedMetricType"))
            if metric == "ASGAverageCPUUtilization":
                targets.append(number(get(tracking, "targetValue")) or 0)
        if not targets:
            yield f"Auto Scaling group '{group.name}' has no CPU target-tracking scaling policy", group.urn
        elif min(targets) > cfg["maxCpuTarget"]:
            message = f"Auto Scaling group '{group.name}' scales out at {min(targets):.0f}% CPU"
            yield f"{message}; at most {cfg['maxCpuTarget']}% is allowed", group.urn


_VOLUME_CONFIG = {
    "requireCustomerManagedKey": {"type": "boolean", "default": True},
    "acceptAccountDefaultEncryption": {"type": "boolean", "default": False},
}
_IMDS = "Require IMDSv2 so SSRF in the application cannot read instance credentials."


class HostPolicyNames(NamedTuple):
    """The names of the host policies one kind of resource gets (literal, so a grep finds them)."""

    imdsv2: str
    hop_limit: str
    key_pair: str
    public_ip: str
    volumes: str
    user_data: str


LAUNCH_TEMPLATE_NAMES = HostPolicyNames(
    imdsv2="ec2-launchtemplate-imdsv2-required",
    hop_limit="ec2-launchtemplate-imds-hop-limit",
    key_pair="ec2-launchtemplate-no-key-pair",
    public_ip="ec2-launchtemplate-no-public-ip",
    volumes="ec2-launchtemplate-volumes-encrypted",
    user_data="ec2-launchtemplate-user-data-no-secrets",
)
INSTANCE_NAMES = HostPolicyNames(
    imdsv2="ec2-instance-imdsv2-required",
    hop_limit="ec2-instance-imds-hop-limit",
    key_pair="ec2-instance-no-key-pair",
    public_ip="ec2-instance-no-public-ip",
    volumes="ec2-instance-volumes-encrypted",
    user_data="ec2-instance-user-data-no-secrets",
)


def _per_resource(
    names: HostPolicyNames, types: tuple[str, ...], volumes, public_ip, public_ip_types: tuple[str, ...] = ()
) -> list:
    """The policies launch templates and instances share, each named for its resource."""
    return [
        resource_policy(
            names.imdsv2,
            types=types,
            description=_IMDS,
            severity=HIGH,
            checklist=("HOST-2",),
            remediation="Set metadata_options={'http_tokens': 'required', 'http_endpoint': 'enabled', "
            "'http_put_response_hop_limit': 1}.",
            check=_imdsv2,
        ),
        resource_policy(
            names.hop_limit,
            types=types,
            description="The metadata token hop limit is 1, so containers and forwarded traffic cannot reach IMDS.",
            severity=MEDIUM,
            checklist=("HOST-2",),
            remediation="Set metadata_options.http_put_response_hop_limit=1.",
            check=_hop_limit,
            config={"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1}},
        ),
        resource_policy(
            names.key_pair,
            types=types,
            description="No SSH key pairs: operator access goes through SSM Session Manager.",
            severity=HIGH,
            checklist=("HOST-1",),
            remediation="Remove key_name; attach AmazonSSMManagedInstanceCore to the instance role.",
            check=_no_key_pair,
        ),
        resource_policy(
            names.public_ip,
            types=types + public_ip_types,
            description="Application instances have no public IP (nor an Elastic IP); they sit in private subnets "
            "behind the load balancer.",
            severity=HIGH,
            checklist=("HOST-4",),
            remediation="Remove associate_public_ip_address (or set it False), launch into private subnets, and "
            "associate no aws.ec2.Eip / aws.ec2.EipAssociation with the instance.",
            check=public_ip,
        ),
        resource_policy(
            names.volumes,
            types=types,
            description="Every EBS volume is encrypted with a customer-managed KMS key.",
            severity=HIGH,
            checklist=("HOST-3", "DB-2"),
            remediation="Declare the root volume with encrypted=True (launch templates: 'true') and "
            "kms_key_id=<CMK ARN>.",
            check=volumes,
            config=_VOLUME_CONFIG,
        ),
        resource_policy(
            names.user_data,
            types=types,
            description="User data carries no plaintext secrets (it is readable by anyone who can describe the "
            "instance).",
            severity=CRITICAL,
            checklist=("SEC-1",),
            remediation="Read secrets at boot with `aws secretsmanager get-secret-value` using the instance role.",
            check=_user_data,
        ),
    ]


POLICIES = [
    *_per_resource(LAUNCH_TEMPLATE_NAMES, t.LAUNCH_TEMPLATE, _launch_template_volumes, _launch_template_public_ip),
    *_per_resource(INSTANCE_NAMES, t.INSTANCE, _instance_volumes, _instance_public_ip, t.EIP + t.EIP_ASSOCIATION),
    resource_policy(
        "ec2-launchtemplate-image-from-ssm",
        types=t.LAUNCH_TEMPLATE,
        description="The image comes from the vendor's SSM parameter, so every launch uses the patched AMI.",
        severity=LOW,
        checklist=("HOST-5",),
        remediation="Set image_id='resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'.",
        check=_ami_from_ssm,
        enforcement=ADVISORY,
    ),
    resource_policy(
        "ebs-volume-encrypted",
        types=t.VOLUME,
        description="EBS volumes are encrypted with a customer-managed KMS key.",
        severity=HIGH,
        checklist=("HOST-3", "DB-2"),
        remediation="Set encrypted=True and kms_key_id=<CMK ARN>.",
        check=_volume_encrypted,
        config={"requireCustomerManagedKey": _VOLUME_CONFIG["requireCustomerManagedKey"]},
    ),
    stack_policy(
        "autoscaling-group-elb-health-check",
        description="Groups behind a load balancer (inline, or attached with aws.autoscaling.Attachment or "
        "TrafficSourceAttachment) replace instances that fail its health checks.",
        severity=MEDIUM,
        checklist=("HOST-6", "DEP-2"),
        remediation="Set health_check_type='ELB' and a health_check_grace_period.",
        check=_asg_health_check,
    ),
    resource_policy(
        "autoscaling-group-capacity",
        types=t.AUTOSCALING_GROUP,
        description="Groups keep at least two instances and may scale out to the documented maximum.",
        severity=MEDIUM,
        checklist=("HOST-6", "DB-8"),
        remediation="Set min_size=2 and max_size=10 (or the configured figures).",
        check=_asg_capacity,
        config={
            "minSize": {"type": "integer", "minimum": 0, "default": 2},
            "maxSize": {"type": "integer", "minimum": 1, "default": 10},
        },
    ),
    resource_policy(
        "autoscaling-group-multi-az",
        types=t.AUTOSCALING_GROUP,
        description="Groups span at least two availability zones.",
        severity=MEDIUM,
        checklist=("HOST-6",),
        remediation="Set vpc_zone_identifiers to private subnets in two or more zones.",
        check=_asg_multi_az,
        config={"minZones": {"type": "integer", "minimum": 1, "default": 2}},
    ),
    resource_policy(
        "autoscaling-group-launch-template",
        types=t.AUTOSCALING_GROUP,
        description="Groups launch from a launch template (launch configurations are deprecated and miss the "
        "metadata and encryption settings).",
        severity=LOW,
        checklist=("HOST-2", "HOST-5"),
        remediation="Replace launch_configuration with launch_template={'id': lt.id, 'version': "
        "lt.latest_version.apply(str)} (version is a string; '$Latest' also works).",
        check=_asg_launch_template,
    ),
    resource_policy(
        "autoscaling-group-instance-refresh",
        types=t.AUTOSCALING_GROUP,
        description="A rolling instance refresh replaces instances when the launch template changes.",
        severity=MEDIUM,
        checklist=("HOST-5",),
        remediation="Set instance_refresh={'strategy': 'Rolling', 'preferences': {'min_healthy_percentage': 100}}.",
        check=_asg_refresh,
    ),
    resource_policy(
        "autoscaling-group-refresh-keeps-capacity",
        types=t.AUTOSCALING_GROUP,
        description="Rolling refreshes never drop below desired capacity (maxUnavailable 0).",
        severity=MEDIUM,
        checklist=("DEP-2",),
        remediation="Set instance_refresh.preferences.min_healthy_percentage=100 and max_healthy_percentage=200.",
        check=_asg_refresh_capacity,
        config={"minHealthyPercentage": {"type": "integer", "minimum": 0, "maximum": 100, "default": 100}},
    ),
    stack_policy(
        "autoscaling-group-cpu-scaling",
        description="Every Auto Scaling group scales out on average CPU at the documented target.",
        severity=MEDIUM,
        checklist=("HOST-6",),
        remediation="Add aws.autoscaling.Policy(f'{name}-cpu', autoscaling_group_name=group.name, "
        "policy_type='TargetTrackingScaling', target_tracking_configuration={'predefined_metric_specification': "
        "{'predefined_metric_type': 'ASGAverageCPUUtilization'}, 'target_value': 70}).",
        check=_asg_cpu_scaling,
        config={"maxCpuTarget": {"type": "number", "minimum": 1, "maximum": 100, "default": 70}},
    ),
]
