"""The application tier: hardened launch templates and Auto Scaling groups per colour (HOST-*, DEP-2)."""

from __future__ import annotations

import base64
import json
import shlex

import pytest

from components.compute.app_tier import AMI_PARAMETER, ecr_repository_arn
from pulumi_offline.program import reveal
from tests.components.variants import PINNED, PINNED_GREEN, prod_tuned
from tests.graph import resource

TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GROUP = "aws:autoscaling/group:Group"
COLORS = ("blue", "green")


def template(graph, color):
    return resource(graph, TEMPLATE, f"{graph.stack}-app-{color}").inputs


def group(graph, color):
    return resource(graph, GROUP, f"{graph.stack}-app-{color}").inputs


def boot_script(graph, color):
    return base64.b64decode(template(graph, color)["userData"]).decode()


@pytest.mark.parametrize("color", COLORS)
def test_launch_template_uses_the_vendor_ami_parameter_and_imdsv2(stack, color):
    lt = template(stack, color)
    assert lt["imageId"] == f"resolve:ssm:{AMI_PARAMETER}"
    assert AMI_PARAMETER == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}


@pytest.mark.parametrize("color", COLORS)
def test_instances_have_encrypted_gp3_root_no_public_ip_no_key_pair(stack, color):
    lt = template(stack, color)
    (disk,) = lt["blockDeviceMappings"]
    assert disk["ebs"]["volumeType"] == "gp3" and disk["ebs"]["encrypted"] == "true"
    assert disk["ebs"]["kmsKeyId"] == stack.named(f"{stack.stack}-keys-data").outputs["arn"]
    (nic,) = lt["networkInterfaces"]
    assert nic["associatePublicIpAddress"] == "false"
    assert nic["securityGroups"] == [stack.named(f"{stack.stack}-sg-app").id]
    assert "keyName" not in lt and "vpcSecurityGroupIds" not in lt


def app_secret_arns(stack) -> set[str]:
    """What the application reads: every stored secret except CloudFront's origin header (the
    load balancer checks that one), plus the RDS-managed master password secret."""
    stored = {
        r.outputs["arn"]
        for r in stack.of_type("aws:secretsmanager/secret:Secret")
        if not r.name.startswith(f"{stack.stack}-origin-secret")
    }
    (postgres,) = stack.of_type("aws:rds/instance:Instance")
    return stored | {postgres.outputs["masterUserSecrets"][0]["secretArn"]}


def test_boot_script_fetches_secrets_by_arn_and_holds_no_secret_value(stack):
    values = [reveal(r.outputs["result"]) for r in stack.of_type("random:index/randomPassword:RandomPassword")]
    fetched = {"DATABASE_SECRET", "DOCDB_SECRET", "REDIS_AUTH_SECRET", "JWT_SECRET", "SESSION_SECRET", "API_KEY"}
    for color in COLORS:
        script = boot_script(stack, color)
        assert values and not any(value in script for value in values)
        lines = [shlex.split(line) for line in script.splitlines() if line.startswith("fetch_secret ")]
        assert {variable for _, variable, _ in lines} >= fetched | {"ENCRYPTION_KEY"}
        assert {arn for _, _, arn in lines} == app_secret_arns(stack)
        assert "aws secretsmanager get-secret-value" in script
        assert "userData" not in resource(stack, TEMPLATE, f"{stack.stack}-app-{color}").secret_inputs


def test_boot_script_runs_the_container_pinned_by_digest_and_the_cloudwatch_agent(stack):
    script = boot_script(stack, "blue")
    image = script.split("\nimage=", 1)[1].split("\n", 1)[0]
    assert "@sha256:" in image and image.startswith(stack.named(f"{stack.stack}-image-repo").outputs["repositoryUrl"])
    assert "docker run" in script and "--publish 3000:3000" in script
    agent = json.loads(script.split("<<'JSON'\n", 1)[1].split("\nJSON\n", 1)[0])
    collected = agent["metrics"]["metrics_collected"]
    assert collected["mem"]["measurement"] == ["mem_used_percent"]
    assert collected["disk"]["measurement"] == ["used_percent"]
    assert agent["metrics"]["aggregation_dimensions"] == [["AutoScalingGroupName"]]


@pytest.mark.parametrize("color", COLORS)
def test_groups_run_in_the_private_app_subnets_with_elb_health_checks(stack, color):
    asg = group(stack, color)
    app = {s.id for s in stack.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "app"}
    assert set(asg["vpcZoneIdentifiers"]) == app
    assert asg["healthCheckType"] == "ELB" and asg["healthCheckGracePeriod"] > 0
    assert asg["targetGroupArns"] == [
        resource(stack, "aws:lb/targetGroup:TargetGroup", f"{stack.stack}-lb-{color}").outputs["arn"]
    ]


def test_capacity_comes_from_config_per_colour(staging, prod):
    assert (group(prod, "blue")["minSize"], group(prod, "blue")["maxSize"], group(prod, "blue")["desiredCapacity"]) == (
        2,
        10,
        2,
    )
    assert (group(prod, "green")["minSize"], group(prod, "green")["maxSize"]) == (0, 10)
    assert (group(staging, "blue")["minSize"], group(staging, "blue")["maxSize"]) == (1, 3)


@pytest.mark.parametrize("color", COLORS)
def test_instance_refresh_keeps_full_healthy_capacity_a_few_instances_at_a_time(stack, color):
    refresh = group(stack, color)["instanceRefresh"]
    assert refresh["strategy"] == "Rolling"
    assert refresh["preferences"]["minHealthyPercentage"] == 100
    # At most 10% extra capacity: a batch is a tenth of the fleet (at least one instance), never
    # the whole fleet at once (200% would replace everything in one batch).
    assert refresh["preferences"]["maxHealthyPercentage"] == 110


@pytest.mark.parametrize("color", COLORS)
def test_groups_launch_through_the_stacks_own_auto_scaling_role(stack, color):
    role = stack.named(f"{stack.stack}-keys-autoscaling")
    assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com"
    assert group(stack, color)["serviceLinkedRoleArn"] == role.outputs["arn"]
    # ... the role the data key lets encrypt volumes (HOST-3), which exists before the key does.
    policy = json.loads(stack.named(f"{stack.stack}-keys-data").inputs["policy"])
    named = {s["Sid"]: s["Principal"] for s in policy["Statement"] if s["Sid"].startswith("AutoScaling")}
    assert named == {sid: {"AWS": role.outputs["arn"]} for sid in ("AutoScalingUsesKey", "AutoScalingGrantsForVolumes")}
    assert role.urn in stack.named(f"{stack.stack}-keys-data").dependencies


def test_groups_track_70_percent_cpu_with_a_5_minute_warmup(stack):
    policies = stack.of_type("aws:autoscaling/policy:Policy")
    assert len(policies) == 2
    for policy in policies:
        config = policy.inputs["targetTrackingConfiguration"]
        assert config["targetValue"] == 70
        assert config["predefinedMetricSpecification"]["predefinedMetricType"] == "ASGAverageCPUUtilization"
        assert policy.inputs["estimatedInstanceWarmup"] == 300


def test_instance_role_reads_only_this_apps_secrets_and_image(stack):
    attached = {r.inputs["policyArn"] for r in stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attached >= {
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    }
    policy = json.loads(stack.named(f"{stack.stack}-app-app-access").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert set(statements["ReadAppSecrets"]["Resource"]) == app_secret_arns(stack)
    assert statements["PullAppImage"]["Resource"] == [stack.named(f"{stack.stack}-image-repo").outputs["arn"]]
    assert statements["DecryptAppSecrets"]["Condition"]["StringEquals"]["kms:ViaService"].startswith("secretsmanager.")
    wildcard = [s["Sid"] for s in policy["Statement"] if s["Resource"] == "*"]
    assert wildcard == ["EcrLogin"]  # GetAuthorizationToken has no resource-level permissions


def test_a_named_image_is_what_the_instances_run_and_may_pull():
    graph = prod_tuned()
    for color, image in (("blue", PINNED), ("green", PINNED_GREEN)):
        assert f"\nimage={image}\n" in boot_script(graph, color)
    policy = json.loads(graph.named("prod-app-app-access").inputs["policy"])
    (pull,) = [s for s in policy["Statement"] if s["Sid"] == "PullAppImage"]
    # The configured image's repository, in the account and region its host name says.
    assert pull["Resource"] == [
        graph.named("prod-image-repo").outputs["arn"],
        "arn:aws:ecr:us-east-1:333333333333:repository/erp/app",
    ]


def test_only_ecr_images_name_a_repository():
    assert ecr_repository_arn("public.ecr.aws/nginx/nginx@sha256:" + "0" * 64) is None
    assert ecr_repository_arn("ghcr.io/acme/app@sha256:" + "0" * 64) is None
    assert ecr_repository_arn(None) is None
