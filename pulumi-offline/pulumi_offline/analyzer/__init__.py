"""Run a CrossGuard policy pack the way the Pulumi engine does, against a recorded graph.

    with PolicyPackServer("policies", project="platform", stack="prod") as pack:
        pack.info()                       # PackInfo: name, version, policies
        pack.configure(json.load(open("policies/config/prod.json")))
        diagnostics = pack.analyze_graph(graph, stack_config.values)

One concern per module:
- `server`: the pack's process: started as the engine starts it, handshake, stop.
- `client`: the engine's side of the Analyzer protocol (`GetAnalyzerInfo`, `Configure`, then
  `Remediate` and `Analyze` for each resource's inputs, finally `AnalyzeStack` with every
  resource's outputs), over a gRPC stub or an in-process servicer.
- `policy_config`: the `--policy-pack-config` file, reconciled with every policy's defaults
  and validated against its schema.
- `requests`: the requests, each resource with its options and provider (the explicit
  registration, or the default `pulumi:providers:<pkg>` configured from the stack's
  `<pkg>:*` values, as the engine creates it).
- `wire`: values marshalled as the engine does: secrets as secret-signature objects, values
  unknown during preview as the unknown sentinel.
- `results`: the pack's answers decoded: pack info, diagnostics, remediations.
"""

from .client import Analyzer
from .policy_config import PolicyConfigError, reconcile_config
from .requests import analyze_request, analyze_stack_request
from .results import Diagnostic, PackInfo, PolicyInfo, Remediation
from .server import PackInterpreterError, PackStartError, PolicyPackServer, ensure_pack_modules, pack_interpreter
from .wire import to_struct, to_wire

__all__ = [
    "Analyzer",
    "Diagnostic",
    "PackInfo",
    "PackInterpreterError",
    "PackStartError",
    "PolicyConfigError",
    "PolicyInfo",
    "PolicyPackServer",
    "Remediation",
    "analyze_request",
    "analyze_stack_request",
    "ensure_pack_modules",
    "pack_interpreter",
    "reconcile_config",
    "to_struct",
    "to_wire",
]
