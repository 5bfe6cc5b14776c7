"""How the pack's evaluation time grows with the size of the stack.

    python scripts/policy_scaling.py [--sizes 400 4000] [--runs 3]

Builds synthetic stacks of the requested sizes from copies of one unit of cross-referencing
resources (VPC, flow log, subnets, route tables, subnet groups, buckets and their separate
configuration resources, Kubernetes workloads with their PDB, HPA and NetworkPolicy), then times
the pack in-process: every resource policy on every resource, then every stack policy on the
stack, the resources deserialized before the clock starts. Linear evaluation means ten times the
resources take about ten times as long. `--servicer` also times the policy SDK's Analyzer
servicer as the pack serves it (the requests' decoding and the RPC handlers included).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import gc
import time
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pulumi_policy import (
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UnknownValueError

from hardening import ALL, PACK_ENFORCEMENT, PACK_NAME, _fast_servicer
from hardening._fast_servicer import stack_resources
from pulumi_offline.analyzer import analyze_request, analyze_stack_request
from pulumi_offline.program import Graph, Secret, run
from pulumi_offline.providers import with_default_providers
from pulumi_offline.stackconfig import StackConfig


def _unit(i: str, provider: aws.Provider) -> None:
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
    meta: k8s.meta.v1.ObjectMetaArgsDict = {"namespace": "apps", "name": f"app-{i}"}
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


_MARK = "unit0"  # in every name of the first unit; copies get unit1, unit2, …


def _unit_program() -> None:
    _unit(_MARK, aws.Provider("primary", region="eu-west-1"))


def _renamed(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _renamed(v, pairs) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, pairs) for v in value]
    if isinstance(value, Secret):
        return Secret(_renamed(value.value, pairs))
    return value


@functools.cache
def _unit_graph() -> Graph:
    return run(_unit_program, project="platform", stack="prod")


def synthetic_graph(resources: int) -> Graph:
    """About `resources` resources: one unit run as a program, then copied with every name and
    id made unique to its copy (running thousands of resources through the engine would take
    longer than evaluating them)."""
    unit = _unit_graph()
    members = [r for r in unit if _MARK in r.urn]
    ids = sorted({r.id for r in members if r.id}, key=len, reverse=True)
    registrations = [r for r in unit if _MARK not in r.urn]
    for i in range(max(1, resources // len(members))):
        pairs = [(old, f"{old}x{i}") for old in ids] + [(_MARK, f"unit{i}")]
        registrations += [
            dataclasses.replace(
                r,
                **{
                    name: _renamed(getattr(r, name), pairs)
                    for name in ("urn", "name", "raw_inputs", "outputs", "dependencies", "options", "id")
                },
            )
            for r in members
        ]
    graph = Graph(unit.project, unit.stack, registrations, {})
    return with_default_providers(graph, StackConfig(graph.project, graph.stack, {"aws:region": "eu-west-1"}))


def pack_seconds(graph: Graph) -> float:
    """CPU time of every policy's own evaluation, the resources deserialized beforehand: each
    resource policy on every resource, then each stack policy on the whole stack."""
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", ALL, PACK_ENFORCEMENT)
    stack = stack_resources(servicer, analyze_stack_request(graph))
    resource_args = [
        ResourceValidationArgs(r.resource_type, r.props, r.urn, r.name, r.opts, r.provider, None, {}) for r in stack
    ]
    stack_args = StackValidationArgs(stack, None, {})
    resource_policies = [p for p in ALL if isinstance(p, ResourceValidationPolicy)]
    stack_policies = [p for p in ALL if isinstance(p, StackValidationPolicy)]

    def report(*_violation) -> None:
        return None

    # The stack was built before the clock started: keep the collector from re-scanning it (and
    # everything else already alive) on every collection, which would charge the pack for the
    # size of its input rather than for its own work.
    gc.freeze()
    started = time.process_time()
    for args in resource_args:
        for policy in resource_policies:
            with contextlib.suppress(UnknownValueError):
                policy.validate(args, report)
    for policy in stack_policies:
        with contextlib.suppress(UnknownValueError):
            policy.validate(stack_args, report)
    elapsed = time.process_time() - started
    gc.unfreeze()
    return elapsed


def servicer_seconds(graph: Graph) -> float:
    """Wall time of the SDK's Remediate, Analyze (every resource) and AnalyzeStack calls, as the
    pack serves them (`hardening._fast_servicer`)."""
    _fast_servicer.install()
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
    options = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    options.add_argument("--sizes", type=int, nargs="+", default=[400, 4000])
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--servicer", action="store_true", help="also time the SDK's gRPC servicer (slow)")
    args = options.parse_args()

    print("| resources | pack CPU (s) | per resource (ms) |" + (" servicer (s) |" if args.servicer else ""))
    print("|---|---|---|" + ("---|" if args.servicer else ""))
    graphs = {size: synthetic_graph(size) for size in args.sizes}
    # Sizes take turns, so whatever else the process does weighs on each alike.
    runs = [{size: pack_seconds(graph) for size, graph in graphs.items()} for _ in range(args.runs)]
    best = {size: min(run[size] for run in runs) for size in graphs}
    for size, graph in graphs.items():
        row = f"| {len(graph)} | {best[size]:.2f} | {1000 * best[size] / len(graph):.2f} |"
        print(row + (f" {servicer_seconds(graph):.2f} |" if args.servicer else ""))
    smallest, largest = min(best), max(best)
    if smallest != largest:
        print(f"\n{largest}/{smallest} resources: pack time ratio {best[largest] / best[smallest]:.1f}")


if __name__ == "__main__":
    main()
