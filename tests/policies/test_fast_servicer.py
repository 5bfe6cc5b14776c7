"""The pack's servicer does per request only the work that can find something, and answers
exactly as the SDK's own does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, LocalPack, _LocalStub, graph_of
from google.protobuf import empty_pb2
from pulumi_policy import ResourceValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from hardening import _fast_servicer
from hardening._policy import MANDATORY, MEDIUM, resource_policy, stack_policy
from pulumi_offline.analyzer import Analyzer, analyze_request, analyze_stack_request


def test_a_value_is_computed_once_per_request_and_never_shared_across_requests():
    calls: list[object] = []

    def decode(value):
        calls.append(value)
        return {"decoded": value}

    remembered = _fast_servicer._remembered(decode)

    class Servicer:
        @_fast_servicer._per_request
        def Analyze(self, request, context):
            return [remembered(request) for _ in range(5)]

    first, second = object(), object()
    results = Servicer().Analyze(first, None)
    assert calls == [first] and all(r is results[0] for r in results)
    Servicer().Analyze(first, None)
    assert calls == [first, first], "a new request decodes afresh"
    Servicer().Analyze(second, None)
    remembered(first)
    remembered(first)
    assert calls == [first, first, second, first, first], "outside a request nothing is remembered"


def test_the_sdk_servicer_is_patched_once():
    _fast_servicer.install()
    analyze, stack = _PolicyAnalyzerServicer.Analyze, _PolicyAnalyzerServicer.AnalyzeStack
    _fast_servicer.install()
    assert _PolicyAnalyzerServicer.Analyze is analyze and _PolicyAnalyzerServicer.AnalyzeStack is stack
    assert getattr(analyze, "__wrapped__", None)  # the SDK's own handler, wrapped


def _bucket_and_topic():
    import pulumi_aws as aws

    bucket = aws.s3.Bucket("b")
    aws.s3.BucketVersioning("b-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.sns.Topic("t")


def _counting_pack(seen: dict[str, list]) -> Analyzer:
    """Two typed policies, one the SDK's own (no types declared) and two stack policies, each
    recording what it was handed."""

    def record(key):
        def check(args, _config):
            seen.setdefault(key, []).append(args)
            return ()

        return check

    common = {"description": "d", "severity": MEDIUM, "checklist": ("X-1",), "remediation": "r"}
    policies = [
        resource_policy("buckets-only", types=("aws:s3/bucket:Bucket",), check=record("buckets-only"), **common),
        resource_policy("topics-only", types=("aws:sns/topic:Topic",), check=record("topics-only"), **common),
        ResourceValidationPolicy(
            name="untyped", description="d", validate=lambda args, _report: seen.setdefault("untyped", []).append(args)
        ),
        stack_policy("stack-a", check=lambda stack, _c: seen.setdefault("stack-a", []).append(stack), **common),
        stack_policy("stack-b", check=lambda stack, _c: seen.setdefault("stack-b", []).append(stack), **common),
    ]
    servicer = _PolicyAnalyzerServicer("counting", "0.0.1", policies, MANDATORY)
    return Analyzer(_LocalStub(servicer))


def test_a_resource_reaches_only_the_policies_for_its_type_and_those_that_declare_none():
    seen: dict[str, list] = {}
    pack = _counting_pack(seen)
    graph = graph_of(_bucket_and_topic)
    for r in graph:
        pack.analyze(analyze_request(graph, r))
    assert [a.resource_type for a in seen["buckets-only"]] == ["aws:s3/bucket:Bucket"]
    assert [a.resource_type for a in seen["topics-only"]] == ["aws:sns/topic:Topic"]
    assert len(seen["untyped"]) == len(graph), "a policy that declares no types sees every resource"
    # Outside an Analyze the servicer lists every policy (GetAnalyzerInfo, Configure).
    assert len(pack._stub.GetAnalyzerInfo(empty_pb2.Empty()).policies) == 5


def test_every_stack_policy_is_handed_one_stack_built_once_and_linked():
    seen: dict[str, list] = {}
    pack = _counting_pack(seen)
    graph = graph_of(_bucket_and_topic)
    pack.analyze_stack(analyze_stack_request(graph))
    (a,), (b,) = seen["stack-a"], seen["stack-b"]
    assert a is b, "one view, indexed once, for every stack policy"
    versioning = a.of(("aws:s3/bucketVersioning:BucketVersioning",))[0]
    bucket = a.of(("aws:s3/bucket:Bucket",))[0]
    assert versioning.property_dependencies["bucket"] == [bucket]
    assert bucket in versioning.dependencies
    assert versioning.parent is not None and versioning.parent.resource_type == "pulumi:pulumi:Stack"


COMPARE = """
import json
from pulumi_policy.policy import _PolicyAnalyzerServicer
_PolicyAnalyzerServicer._fast = True  # the fixtures' conftest installs it on import: not yet
from hardening import _fast_servicer
from pulumi_offline.program import run_program
from conftest import LocalPack, ROOT
from test_reviewed_program import program
from pulumi_offline.program import run

graphs = [run(program, project="platform", stack="prod"), run_program(ROOT, "prod")]
def findings():
    pack = LocalPack()
    pack.configure({})
    return [sorted((d.policy_name, d.urn, d.message) for d in pack.analyze_graph(g)) for g in graphs]
before = findings()
del _PolicyAnalyzerServicer._fast
_fast_servicer.install()
after = findings()
print(json.dumps({"same": before == after, "counts": [len(f) for f in before]}))
"""


@pytest.mark.slow
def test_findings_are_the_same_with_and_without_the_fast_servicer():
    """The reviewed program (a misconfiguration for most areas) and the prod stack through the
    SDK's servicer, unpatched and then patched, in one fresh interpreter: identical findings."""
    out = subprocess.run(
        [sys.executable, "-c", COMPARE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "policies")])},
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["counts"][0] > 20 and result["same"], result


def test_local_pack_runs_through_the_fast_servicer():
    assert isinstance(LocalPack()._stub._servicer._PolicyAnalyzerServicer__policies, _fast_servicer._PoliciesByType)
