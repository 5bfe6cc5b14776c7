"""The pack's servicer decodes each resource once per request, and answers exactly as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from pulumi_policy.policy import _PolicyAnalyzerServicer

from hardening import _decode_once


def test_a_value_is_computed_once_per_request_and_never_shared_across_requests():
    calls: list[object] = []

    def decode(value):
        calls.append(value)
        return {"decoded": value}

    remembered = _decode_once._remembered(decode)

    class Servicer:
        @_decode_once._per_request
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
    _decode_once.install()
    analyze = _PolicyAnalyzerServicer.Analyze
    _decode_once.install()
    assert _PolicyAnalyzerServicer.Analyze is analyze
    assert analyze.__wrapped__  # the SDK's own handler, wrapped


COMPARE = """
import json
from pulumi_policy.policy import _PolicyAnalyzerServicer
from hardening import _decode_once
_PolicyAnalyzerServicer._decodes_once = True  # the fixtures' conftest installs it on import: not yet
from pulumi_offline.program import run
from conftest import LocalPack
from test_reviewed_program import program

graph = run(program, project="platform", stack="prod")
def findings():
    pack = LocalPack()
    pack.configure({})
    return sorted((d.policy_name, d.urn, d.message) for d in pack.analyze_graph(graph))
before = findings()
del _PolicyAnalyzerServicer._decodes_once
_decode_once.install()
after = findings()
print(json.dumps({"same": before == after, "count": len(before)}))
"""


@pytest.mark.slow
def test_findings_are_the_same_with_and_without_the_memo():
    """The reviewed program (a misconfiguration for most areas) through the SDK's servicer,
    unpatched and then patched, in one fresh interpreter: identical findings."""
    out = subprocess.run(
        [sys.executable, "-c", COMPARE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "policies")])},
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["count"] > 20 and result["same"], result
