"""The engine's side of the Analyzer protocol, over any stub with the Analyzer methods: the
order of calls a deployment makes, and the pack's answers decoded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2 as pb

from ..program import Graph
from ..providers import with_default_providers
from ..stackconfig import StackConfig
from .policy_config import reconcile_config
from .results import Diagnostic, PackInfo, Remediation, pack_info
from .streamed import StreamedAnalysis


class Analyzer:
    """Drives a pack through `stub` (a gRPC `AnalyzerStub`, or the pack's servicer in-process),
    with up to `concurrency` resource requests in flight at once."""

    def __init__(self, stub: Any, stack_config: Mapping[str, str] | None = None, concurrency: int = 1) -> None:
        self._stub = stub
        self.concurrency = concurrency
        self.stack_config = dict(stack_config or {})
        self.remediations: list[Remediation] = []
        self._info: PackInfo | None = None

    def info(self) -> PackInfo:
        if self._info is None:
            self._info = pack_info(self._stub.GetAnalyzerInfo(empty_pb2.Empty()))
        return self._info

    def configure(self, config: Mapping[str, Any]) -> None:
        """Apply a `--policy-pack-config` document (`{policy: level | {enforcementLevel, …}}`)."""
        self._stub.Configure(pb.ConfigureAnalyzerRequest(policyConfig=reconcile_config(self.info(), config)))

    def analyze(self, request: pb.AnalyzeRequest) -> list[Diagnostic]:
        return [Diagnostic.from_proto(d, request.urn) for d in self._stub.Analyze(request).diagnostics]

    def analyze_stack(self, request: pb.AnalyzeStackRequest) -> list[Diagnostic]:
        return [Diagnostic.from_proto(d) for d in self._stub.AnalyzeStack(request).diagnostics]

    def remediate(self, request: pb.AnalyzeRequest) -> list[Remediation]:
        return [
            Remediation(r.policyName, request.urn, json_format.MessageToDict(r.properties), r.diagnostic)
            for r in self._stub.Remediate(request).remediations
        ]

    def analyze_graph(self, graph: Graph, stack_config: Mapping[str, str] | None = None) -> list[Diagnostic]:
        """Remediate and analyze every resource, then analyze the stack, as a deployment does.
        Remediations applied are kept in `self.remediations`."""
        values = self.stack_config if stack_config is None else stack_config
        config = StackConfig(graph.project, graph.stack, dict(values))
        # Resources without an explicit provider reach the pack with the engine's default one.
        graph = with_default_providers(graph, config)
        # The same requests the engine sends while the program runs (`StreamedAnalysis`), sent
        # for a graph that is already complete.
        stream = StreamedAnalysis(self, config)
        for r in graph:
            stream.register(r)
        return stream.finish(graph)

    def remediate_and_analyze(self, request: pb.AnalyzeRequest) -> tuple[list[Remediation], list[Diagnostic]]:
        """One resource as the engine sends it: its remediations first, then its analysis on the
        remediated properties."""
        remediations = self.remediate(request)
        for remediation in remediations:
            if remediation.properties:
                request.properties.Clear()
                request.properties.update(remediation.properties)
        return remediations, self.analyze(request)
