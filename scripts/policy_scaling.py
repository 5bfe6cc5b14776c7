"""How the pack's evaluation time grows with the size of the stack.

    python scripts/policy_scaling.py [--sizes 400 4000] [--runs 3]

Builds synthetic stacks of the requested sizes from repeated units of cross-referencing
resources (VPC, flow log, subnets, route tables, subnet groups, buckets and their separate
configuration resources, Kubernetes workloads with their PDB, HPA and NetworkPolicy), then times
the pack in-process: every resource's Analyze and Remediate call, then AnalyzeStack. Requests
are marshalled before the clock starts, so only the pack is measured. Linear evaluation means
ten times the resources take about ten times as long.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pulumi_policy.policy import _PolicyAnalyzerServicer

from hardening import ALL, PACK_ENFORCEMENT, PACK_NAME
from pulumi_offline.analyzer import analyze_request, analyze_stack_request
from pulumi_offline.program import Graph, run
from pulumi_offline.providers import with_default_providers
from pulumi_offline.stackconfig import StackConfig

UNIT_SIZE = 20  # resources per unit, the shared provider aside


def _unit(i: int, provider: aws.Provider) -> None:
    opts = pulumi.ResourceOptions(provider=provider)
    vpc = aws.ec2.Vpc(f"vpc-{i}", cidr_block="10.0.0.0/16", opts=opts)
    aws.ec2.FlowLog(f"flow-{i}", vpc_id=vpc.id, traffic_type="ALL", log_destination="arn:aws:logs:x", opts=opts)
    aws.ec2.DefaultSecurityGroup(f"default-sg-{i}", vpc_id=vpc.id, opts=opts)
    subnet = aws.ec2.Subnet(f"data-{i}", vpc_id=vpc.id, cidr_block="10.0.20.0/24", opts=opts)
    table = aws.ec2.RouteTable(f"data-rt-{i}", vpc_id=vpc.id, opts=opts)
    aws.ec2.RouteTableAssociation(f"data-rta-{i}", subnet_id=subnet.id, route_table_id=table.id, opts=opts)
    aws.rds.SubnetGroup(f"db-subnets-{i}", subnet_ids=[subnet.id], opts=opts)
    aws.ec2.SecurityGroup(f"sg-{i}", vpc_id=vpc.id, opts=opts)
    bucket = aws.s3.Bucket(f"bucket-{i}", opts=opts)
    aws.s3.BucketVersioning(
        f"bucket-{i}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=opts
    )
    aws.s3.BucketPublicAccessBlock(f"bucket-{i}-pab", bucket=bucket.id, block_public_acls=True, opts=opts)
    aws.s3.BucketLogging(f"bucket-{i}-logging", bucket=bucket.id, target_bucket="logs", target_prefix="s3/", opts=opts)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"bucket-{i}-sse",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": "k"}}],
        opts=opts,
    )
    group = aws.autoscaling.Group(f"asg-{i}", min_size=2, max_size=10, opts=opts)
    aws.autoscaling.Policy(
        f"asg-{i}-cpu",
        autoscaling_group_name=group.name,
        policy_type="TargetTrackingScaling",
        target_tracking_configuration={
            "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
            "target_value": 60,
        },
        opts=opts,
    )
    labels = {"app": f"app-{i}"}
    meta = {"namespace": "apps", "name": f"app-{i}"}
    k8s.apps.v1.Deployment(
        f"app-{i}",
        metadata=meta,
        spec={
            "replicas": 2,
            "selector": {"match_labels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": "a:1"}]}},
        },
    )
    k8s.policy.v1.PodDisruptionBudget(
        f"app-{i}-pdb", metadata=meta, spec={"min_available": 1, "selector": {"match_labels": labels}}
    )
    k8s.autoscaling.v2.HorizontalPodAutoscaler(
        f"app-{i}-hpa",
        metadata=meta,
        spec={
            "scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment", "name": f"app-{i}"},
            "min_replicas": 2,
            "max_replicas": 10,
        },
    )
    k8s.networking.v1.NetworkPolicy(f"app-{i}-netpol", metadata=meta, spec={"pod_selector": {"match_labels": labels}})
    aws.cloudwatch.MetricAlarm(
        f"alarm-{i}",
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=1,
        namespace="AWS/EC2",
        metric_name="CPUUtilization",
        alarm_actions=["arn:aws:sns:eu-west-1:123456789012:t"],
        opts=opts,
    )


def synthetic_program(resources: int) -> Callable[[], None]:
    """A program registering about `resources` resources (whole units of UNIT_SIZE)."""

    def program() -> None:
        provider = aws.Provider("primary", region="eu-west-1")
        for i in range(max(1, resources // UNIT_SIZE)):
            _unit(i, provider)

    return program


def synthetic_graph(resources: int) -> Graph:
    graph = run(synthetic_program(resources), project="platform", stack="prod")
    return with_default_providers(graph, StackConfig(graph.project, graph.stack, {"aws:region": "eu-west-1"}))


def evaluation_seconds(graph: Graph) -> float:
    """Wall time of the pack's Remediate, Analyze (every resource) and AnalyzeStack calls."""
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", ALL, PACK_ENFORCEMENT)
    requests = [analyze_request(graph, r) for r in graph]
    stack_request = analyze_stack_request(graph)
    started = time.perf_counter()
    for request in requests:
        servicer.Remediate(request, None)
        servicer.Analyze(request, None)
    servicer.AnalyzeStack(stack_request, None)
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", type=int, nargs="+", default=[400, 4000])
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()

    print("| resources | best of runs (s) | per resource (ms) |")
    print("|---|---|---|")
    best = {}
    for size in args.sizes:
        graph = synthetic_graph(size)
        best[size] = min(evaluation_seconds(graph) for _ in range(args.runs))
        print(f"| {len(graph)} | {best[size]:.2f} | {1000 * best[size] / len(graph):.2f} |")
    smallest, largest = min(best), max(best)
    if smallest != largest:
        print(f"\n{largest}/{smallest} resources: time ratio {best[largest] / best[smallest]:.1f}")


if __name__ == "__main__":
    main()
