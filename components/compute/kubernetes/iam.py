"""IAM roles for the cluster: trust policies and least-privilege roles bound to service accounts
through EKS Pod Identity (no OIDC provider, no IRSA annotations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

# EKS Pod Identity: the agent assumes the role for the pod, with session tags (AWS docs,
# "Create an IAM role with trust policy required by EKS Pod Identity").
POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]


def assume_policy(service: str, actions: Sequence[str] = ("sts:AssumeRole",)) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}],
        }
    )


def role(
    name: str,
    service: str,
    *,
    parent: pulumi.Resource,
    managed: Mapping[str, str] | None = None,
    statements: Sequence[Mapping[str, Any]] = (),
    actions: Sequence[str] = ("sts:AssumeRole",),
) -> aws.iam.Role:
    """A role `service` assumes, with AWS managed policies (label → ARN) and an inline policy."""
    child = pulumi.ResourceOptions(parent=parent)
    created = aws.iam.Role(name, assume_role_policy=assume_policy(service, actions), opts=child)
    for label, arn in (managed or {}).items():
        aws.iam.RolePolicyAttachment(f"{name}-{label}", role=created.name, policy_arn=arn, opts=child)
    if statements:
        aws.iam.RolePolicy(
            f"{name}-access",
            role=created.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)}),
            opts=child,
        )
    return created


def pod_role(
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    namespace: str,
    service_account: str,
    parent: pulumi.Resource,
    managed: Mapping[str, str] | None = None,
    statements: Sequence[Mapping[str, Any]] = (),
    depends_on: Sequence[pulumi.Resource] = (),
) -> aws.eks.PodIdentityAssociation:
    """A role only pods running as `namespace/service_account` on the cluster receive (the
    association; its `role_arn` is the role)."""
    created = role(
        name,
        "pods.eks.amazonaws.com",
        parent=parent,
        managed=managed,
        statements=statements,
        actions=POD_IDENTITY_ACTIONS,
    )
    return aws.eks.PodIdentityAssociation(
        f"{name}-identity",
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=created.arn,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )
