"""Analyze each resource as the program registers it, as the engine does, while the program runs.

The engine remediates and analyzes a resource when its registration arrives, before anything
else happens to it. `StreamedAnalysis` sends those requests as registrations arrive
(`RecordingEngine.on_register`), so the pack works while the program is still running, then
collects the answers in stack order and analyzes the stack. `Analyzer.analyze_graph` feeds it
a finished graph: the same requests, the same answers, in the same order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from pulumi.runtime.proto import analyzer_pb2 as pb

from ..program import Graph, Registration
from ..providers import DefaultProviders
from ..stackconfig import StackConfig
from .requests import analyze_request, analyze_stack_request, resource_request
from .results import Diagnostic, Remediation

if TYPE_CHECKING:  # the analyzer feeds a finished graph through this module
    from .client import Analyzer

Answer = tuple[list[Remediation], list[Diagnostic]]


class StreamedAnalysis:
    """Resource requests sent to `analyzer` as `register` is called, once `ready` (connecting
    and configuring the pack, run on the first worker), if given, has returned."""

    def __init__(self, analyzer: Analyzer, config: StackConfig, ready: Callable[[], None] | None = None) -> None:
        self._analyzer = analyzer
        self._defaults = DefaultProviders(config.project, config.stack, config)
        self._pool = ThreadPoolExecutor(max_workers=analyzer.concurrency)
        self._ready = self._pool.submit(ready or (lambda: None))
        self._registered: dict[str, Registration] = {}
        self._answers: dict[str, Future[Answer]] = {}
        self._lock = threading.Lock()

    def register(self, registration: Registration) -> None:
        """A registration the engine has just recorded (called on the engine's threads)."""
        with self._lock:
            known = set(self._defaults.made)
            resource = self._defaults.assign(registration)
            for package in self._defaults.made.keys() - known:  # its default provider, made just now
                self._submit(self._defaults.made[package])
            self._submit(resource)

    def _submit(self, resource: Registration) -> None:
        self._registered[resource.urn] = resource
        provider = self._registered.get(resource.provider_urn) if resource.provider_urn else None
        self._answers[resource.urn] = self._pool.submit(self._answer, resource_request(resource, provider))

    def _answer(self, request: pb.AnalyzeRequest) -> Answer:
        self._ready.result()
        return self._analyzer.remediate_and_analyze(request)

    def finish(self, graph: Graph) -> list[Diagnostic]:
        """Every answer for `graph` (the preview's, default providers included) in its order,
        then the stack's analysis; a resource that never streamed is analyzed now."""
        try:
            self._ready.result()
            answers: list[Answer] = []
            for r in graph:
                future = self._answers.get(r.urn)
                if future is None:
                    answers.append(self._analyzer.remediate_and_analyze(analyze_request(graph, r)))
                else:
                    answers.append(future.result())
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._analyzer.remediations = [remediation for remediations, _ in answers for remediation in remediations]
        found = [d for _, diagnostics in answers for d in diagnostics]
        return found + self._analyzer.analyze_stack(analyze_stack_request(graph))

    def abandon(self) -> None:
        """The program did not run to the end: drop what is still queued."""
        self._pool.shutdown(wait=True, cancel_futures=True)
