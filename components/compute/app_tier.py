"""The application tier: per colour a launch template and an Auto Scaling group (HOST-*, DEP-1/2)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ..config import Color, ComputeSettings, Ec2ColorSettings
from ..foundation.log_groups import encrypted_log_group
from . import user_data
from .secret_access import secret_read_statements

# HOST-5: Amazon Linux 2023, the vendor's current patched image, resolved at launch.
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
ROOT_DEVICE = "/dev/xvda"
ROOT_VOLUME_GB = 20
# HOST-6 / seed: scale out at 70% CPU, cool-down 5 minutes.
CPU_TARGET_PERCENT = 70.0
WARMUP_SECONDS = 300
# Boot (packages, image pull, container start) must finish before ELB health counts.
HEALTH_CHECK_GRACE_SECONDS = 300
MANAGED_POLICIES = {
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",  # HOST-1: Session Manager, no SSH
    "cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
}
ECR_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
# An instance refresh may run 10% above the desired count: it replaces a tenth of the fleet at a time.
REFRESH_MAX_HEALTHY_PERCENT = 110
ECR_IMAGE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repo>[^@:]+)")


def ecr_repository_arn(image: str | None) -> str | None:
    """The ECR repository an image reference points into (None for other registries)."""
    match = ECR_IMAGE.match(image or "")
    return match and f"arn:aws:ecr:{match['region']}:{match['account']}:repository/{match['repo']}"


class AppTier(pulumi.ComponentResource):
    """Instances in the private app subnets, reachable only from the ALB, without SSH, key pair
    or public address; each colour has its own image and capacity so that a colour at traffic
    weight 0 can run a new release, take a canary share, or be scaled to zero."""

    launch_templates: dict[Color, aws.ec2.LaunchTemplate]
    groups: dict[Color, aws.autoscaling.Group]
    group_names: dict[Color, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: ComputeSettings,
        *,
        resource_name: str,
        region: str,
        subnet_ids: pulumi.Input[Sequence[str]],
        security_group: aws.ec2.SecurityGroup,
        target_groups: Mapping[Color, aws.lb.TargetGroup],
        images: Mapping[Color, pulumi.Input[str]],
        repository_arn: pulumi.Input[str],
        secret_arns: Mapping[str, pulumi.Input[str]],
        data_key: aws.kms.Key,
        autoscaling_role_arn: pulumi.Input[str],
        logs_key: aws.kms.Key,
        log_retention_days: int,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("platform:app_tier:AppTier", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.log_group = encrypted_log_group(
            f"{name}-logs", f"/app/{resource_name}", log_retention_days, logs_key, parent=self
        )
        self.launch_templates = {}
        self.groups = {}
        self.group_names = {}
        colors = settings.colors_on("ec2")
        if not colors:
            # Every colour is on EKS: no instance role that may read the app's secrets.
            self.register_outputs({"group_names": self.group_names})
            return
        # The stack's own repository, and any ECR repository an EC2 colour's configured image is in.
        pulled = [
            repository_arn,
            *sorted({arn for c in colors if (arn := ecr_repository_arn(settings.color(c).image))}),
        ]
        self.role = self._instance_role(name, region, secret_arns, data_key, pulled)
        self.instance_profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)

        # Only the colours on EC2; an eks colour runs on the cluster (compute/kubernetes).
        for color in colors:
            fleet = settings.color(color)
            assert isinstance(fleet, Ec2ColorSettings)
            script = pulumi.Output.all(
                image=images[color], log_group=self.log_group.name, secrets=dict(secret_arns)
            ).apply(
                lambda args: user_data.encode(
                    user_data.render(
                        region=region,
                        image=args["image"],
                        port=settings.app_port,
                        log_group=args["log_group"],
                        secret_arns=args["secrets"],
                    )
                )
            )
            instance_tags = {**tags, "Name": f"{resource_name}-{color}", "color": color}
            template = aws.ec2.LaunchTemplate(
                f"{name}-{color}",
                name=f"{resource_name}-{color}",
                image_id=f"resolve:ssm:{AMI_PARAMETER}",
                instance_type=settings.instance_type or "",
                iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self.instance_profile.arn),
                # HOST-2: session tokens only, and none reachable from inside a container.
                metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                    http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
                ),
                # HOST-4: private address only; NET-7: the app security group only.
                network_interfaces=[
                    aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                        device_index=0,
                        associate_public_ip_address="false",
                        delete_on_termination="true",
                        security_groups=[security_group.id],
                    )
                ],
                # HOST-3: the root volume encrypted with the data CMK.
                block_device_mappings=[
                    aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                        device_name=ROOT_DEVICE,
                        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                            volume_type="gp3",
                            volume_size=ROOT_VOLUME_GB,
                            encrypted="true",
                            kms_key_id=data_key.arn,
                            delete_on_termination="true",
                        ),
                    )
                ],
                monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
                user_data=script,
                update_default_version=True,
                # DEP-3: provider default tags don't reach what Auto Scaling launches.
                tag_specifications=[
                    aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=instance_tags)
                    for kind in ("instance", "volume", "network-interface")
                ],
                opts=child,
            )
            group = aws.autoscaling.Group(
                f"{name}-{color}",
                name=f"{resource_name}-{color}",
                vpc_zone_identifiers=subnet_ids,
                # The SDK types the version as a string (a number, "$Latest" or "$Default").
                launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                    id=template.id, version=template.latest_version.apply(str)
                ),
                min_size=fleet.min_size,
                max_size=fleet.max_size,
                desired_capacity=fleet.desired_capacity,
                target_group_arns=[target_groups[color].arn],
                # The stack's own Auto Scaling role, which the data key's policy names (HOST-3).
                service_linked_role_arn=autoscaling_role_arn,
                health_check_type="ELB",
                health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
                default_instance_warmup=WARMUP_SECONDS,
                # DEP-2 (maxSurge 1, maxUnavailable 0): new instances come up and turn healthy
                # before old ones leave, so capacity never drops below 100%; a tenth of the fleet
                # (at least one instance) at a time, not the whole fleet at once. No auto-rollback:
                # AWS doesn't offer it for launch templates whose image is an SSM parameter
                # (HOST-5; API RefreshPreferences, AutoRollback); a bad release is rolled back by
                # traffic weight (docs/blue-green.md).
                instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                    strategy="Rolling",
                    preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                        min_healthy_percentage=100,
                        max_healthy_percentage=REFRESH_MAX_HEALTHY_PERCENT,
                        instance_warmup=str(WARMUP_SECONDS),
                        skip_matching=True,
                    ),
                ),
                enabled_metrics=[
                    aws.autoscaling.Metric.GROUP_IN_SERVICE_INSTANCES,
                    aws.autoscaling.Metric.GROUP_DESIRED_CAPACITY,
                    aws.autoscaling.Metric.GROUP_TOTAL_INSTANCES,
                ],
                tags=[
                    aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=False)
                    for key, value in sorted(instance_tags.items())
                ],
                # Target tracking owns the running count between deploys; config sets the bounds
                # (min/max), so a `pulumi up` never undoes a scale-out.
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desired_capacity"]),
            )
            aws.autoscaling.Policy(
                f"{name}-{color}-cpu",
                autoscaling_group_name=group.name,
                policy_type="TargetTrackingScaling",
                estimated_instance_warmup=WARMUP_SECONDS,
                target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                    target_value=CPU_TARGET_PERCENT,
                    predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type="ASGAverageCPUUtilization"
                    ),
                ),
                opts=child,
            )
            self.launch_templates[color] = template
            self.groups[color] = group

        self.group_names = {color: group.name for color, group in self.groups.items()}
        self.register_outputs({"group_names": self.group_names, "role_arn": self.role.arn})

    def _instance_role(
        self,
        name: str,
        region: str,
        secret_arns: Mapping[str, pulumi.Input[str]],
        data_key: aws.kms.Key,
        repository_arns: list[pulumi.Input[str]],
    ) -> aws.iam.Role:
        """SSM and the CloudWatch agent (AWS managed policies), this app's secrets and image."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
            opts=child,
        )
        for label, arn in MANAGED_POLICIES.items():
            aws.iam.RolePolicyAttachment(f"{name}-{label}", role=role.name, policy_arn=arn, opts=child)
        statements = [
            # GetAuthorizationToken has no resource-level permissions (AWS).
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Sid": "PullAppImage", "Effect": "Allow", "Action": ECR_PULL, "Resource": repository_arns},
            *secret_read_statements(secret_arns, data_key, region),
        ]
        aws.iam.RolePolicy(
            f"{name}-app-access",
            role=role.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=child,
        )
        return role
