"""A program a compliance review ran the pack on, which once drew no findings: one resource per
misconfiguration the reviewers found, each of which the pack must report (policy, resource)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ACCOUNT = "123456789012"


def _document(statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def program() -> None:
    role = aws.iam.Role(
        "anyone",
        assume_role_policy=_document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
    )
    aws.iam.RolePolicy(
        "anyone-all", role=role.id, policy=_document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    )
    aws.iam.RolePolicyAttachment("anyone-admin", role=role.name, policy_arn=ADMIN_ARN)

    user = aws.iam.User("admin")
    aws.iam.UserPolicyAttachment("admin-admin", user=user.name, policy_arn=ADMIN_ARN)
    aws.iam.AccessKey("admin-key", user=user.name)

    function = aws.lambda_.Function(
        "fn",
        role=role.arn,
        runtime="python3.13",
        handler="index.handler",
        code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 1\n")}),
    )
    aws.lambda_.FunctionUrl("fn-url", function_name=function.name, authorization_type="NONE")
    aws.lambda_.Permission(
        "fn-public",
        action="lambda:InvokeFunctionUrl",
        function=function.name,
        principal="*",
        function_url_auth_type="NONE",
    )

    api = aws.apigatewayv2.Api("http", protocol_type="HTTP")
    aws.apigatewayv2.Route("http-any", api_id=api.id, route_key="ANY /{proxy+}")
    aws.apigatewayv2.Stage("http-default", api_id=api.id, name="$default", auto_deploy=True)
    aws.apigateway.DomainName(
        "legacy-domain",
        domain_name="api.example.com",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/1",
        security_policy="TLS_1_0",
    )

    aws.ecr.Repository("images")
    aws.ecs.TaskDefinition(
        "task",
        family="task",
        pid_mode="host",
        container_definitions=json.dumps([{"name": "app", "image": "app:1", "essential": True, "privileged": True}]),
    )
    aws.ecs.Service(
        "svc",
        cluster="arn:aws:ecs:us-east-1:123456789012:cluster/main",
        task_definition="task:1",
        desired_count=1,
        network_configuration={"subnets": ["subnet-a"], "assign_public_ip": True},
    )
    aws.eks.NodeGroup(
        "nodes",
        cluster_name="main",
        node_role_arn=role.arn,
        subnet_ids=["subnet-a"],
        scaling_config={"desired_size": 1, "max_size": 1, "min_size": 1},
        remote_access={"ec2_ssh_key": "ops"},
    )

    aws.kms.Key(
        "open-key",
        bypass_policy_lockout_safety_check=True,
        policy=_document({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
    )
    aws.ssm.Parameter("db-password", name="/app/db/password", type="String", value="Sup3rSecretPassw0rd")
    aws.cloudtrail.Trail("trail", s3_bucket_name="audit-logs")
    aws.elb.LoadBalancer(
        "classic",
        availability_zones=["us-east-1a"],
        listeners=[{"lb_port": 80, "lb_protocol": "http", "instance_port": 80, "instance_protocol": "http"}],
    )
    aws.ec2.NetworkAcl(
        "open-acl",
        vpc_id="vpc-1",
        ingress=[
            {
                "protocol": "-1",
                "rule_no": 100,
                "action": "allow",
                "cidr_block": "0.0.0.0/0",
                "from_port": 0,
                "to_port": 0,
            }
        ],
    )


EXPECTED = [
    ("iam-role-trust-named-principals", "anyone"),
    ("iam-policy-no-wildcard-admin", "anyone-all"),
    ("iam-policyattachment-no-admin-policy", "anyone-admin"),
    ("iam-policyattachment-no-admin-policy", "admin-admin"),
    ("iam-user-no-direct-policies", "admin-admin"),
    ("iam-user-no-access-keys", "admin-key"),
    ("lambda-functionurl-iam-auth", "fn-url"),
    ("lambda-permission-no-public-invoke", "fn-public"),
    ("apigatewayv2-route-authorization", "http-any"),
    ("apigatewayv2-stage-access-logging", "http-default"),
    ("apigateway-domainname-tls12", "legacy-domain"),
    ("ecr-repository-immutable-tags", "images"),
    ("ecr-repository-scan-on-push", "images"),
    ("ecs-taskdefinition-not-privileged", "task"),
    ("ecs-taskdefinition-no-host-namespaces", "task"),
    ("ecs-service-no-public-ip", "svc"),
    ("eks-nodegroup-no-remote-access", "nodes"),
    ("kms-key-policy-no-public-principal", "open-key"),
    ("kms-key-no-lockout-bypass", "open-key"),
    ("ssm-parameter-secrets-are-securestring", "db-password"),
    ("cloudtrail-trail-log-file-validation", "trail"),
    ("elb-loadbalancer-tls-listeners", "classic"),
    ("ec2-networkacl-no-admin-ports-from-internet", "open-acl"),
]


@pytest.fixture(scope="module")
def findings(pack) -> set[tuple[str, str]]:
    return {(d.policy_name, d.urn.rsplit("::", 1)[-1]) for d in pack.check(program) if d.urn}


@pytest.mark.parametrize(("policy", "resource"), EXPECTED, ids=[f"{p}:{r}" for p, r in EXPECTED])
def test_every_misconfiguration_of_the_reviewed_program_is_reported(findings, policy, resource):
    assert (policy, resource) in findings
