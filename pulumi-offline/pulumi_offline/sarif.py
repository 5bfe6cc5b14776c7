"""A policy check as SARIF 2.1.0, the format GitHub code scanning ingests.

Every policy of the pack is a rule; every violation a result located at the line of the
program that constructs the resource (the engine's source position), or at the stack's config
file for stack-level findings. Input problems (`shapes`) are results of a rule of their own,
`offline-input-shape`, at the same lines: errors when `--strict-inputs` makes them fail the run,
else warnings. A fingerprint of rule, URN (and property path) lets code scanning follow an alert
when the code around it moves.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from .analyzer import Diagnostic, PolicyInfo
from .report import CheckReport, input_problem_level
from .shapes import InputProblem

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "note", "disabled": "none"}
INPUT_RULE = "offline-input-shape"
# GitHub ranks security alerts by this property (CVSS-like scale).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _artifact(path: Path) -> dict[str, str]:
    """A path relative to the working directory (the repository root in CI), as code scanning
    expects, or an absolute file URI for files outside it."""
    relative = os.path.relpath(path, Path.cwd())
    return {"uri": Path(path).resolve().as_uri()} if relative.startswith("..") else {"uri": relative}


def _location(report: CheckReport, urn: str) -> dict[str, Any]:
    path, line = report.stack_file, 1
    registrations = {r.urn: r for r in report.preview.graph}
    position = registrations[urn].source_position if urn in registrations else ""
    if position.startswith("file://") and "#" in position:
        file, _, number = position.removeprefix("file://").rpartition("#")
        path, line = Path(file), int(number or 1)
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(path), "region": {"startLine": max(line, 1)}}
    }
    if urn:
        location["logicalLocations"] = [
            {"fullyQualifiedName": urn, "name": urn.rsplit("::", 1)[-1], "kind": "resource"}
        ]
    return location


def _rule(policy: PolicyInfo) -> dict[str, Any]:
    description = policy.description or policy.name
    rule: dict[str, Any] = {
        "id": policy.name,
        "name": policy.name,
        "shortDescription": {"text": description.split(". ")[0].rstrip(".")},
        "fullDescription": {"text": description},
        "defaultConfiguration": {"level": LEVELS.get(policy.enforcement_level, "warning")},
        "properties": {"tags": ["security", *policy.tags]},
    }
    if policy.remediation_steps:
        rule["help"] = {"text": policy.remediation_steps, "markdown": policy.remediation_steps}
    if policy.severity in SECURITY_SEVERITY:
        rule["properties"]["security-severity"] = SECURITY_SEVERITY[policy.severity]
    return rule


def _result(report: CheckReport, d: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    subject = f" ({d.urn.split('::')[-2].split('$')[-1]} {d.urn.rsplit('::', 1)[-1]})" if d.urn else " (stack)"
    result: dict[str, Any] = {
        "ruleId": d.policy_name,
        "level": LEVELS.get(d.enforcement_level, "warning"),
        "message": {"text": f"{d.message.splitlines()[-1] if d.message else d.description}{subject}"},
        "locations": [_location(report, d.urn)],
        "partialFingerprints": {
            "pulumiPolicyUrn/v1": hashlib.sha256(f"{d.policy_name}|{d.urn}".encode()).hexdigest()[:32]
        },
        "properties": {"enforcementLevel": d.enforcement_level},
    }
    if d.policy_name in rule_index:
        result["ruleIndex"] = rule_index[d.policy_name]
    return result


def _input_rule(level: str) -> dict[str, Any]:
    description = (
        "A resource input does not fit the provider SDK's type: an unknown property name (nested keys included), "
        "a missing required nested field or a wrong scalar type. The provider's Check would reject it or drop it."
    )
    help_text = "Fix the property in the program (the message names the path and, for a misspelling, the likely name)."
    return {
        "id": INPUT_RULE,
        "name": INPUT_RULE,
        "shortDescription": {"text": "Resource input does not fit the provider SDK's type"},
        "fullDescription": {"text": description},
        "defaultConfiguration": {"level": level},
        "help": {"text": help_text, "markdown": help_text},
        "properties": {"tags": ["correctness"]},
    }


def _input_result(report: CheckReport, p: InputProblem, level: str, index: int) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{INPUT_RULE}|{p.urn}|{p.problem.path}|{p.problem.kind}".encode()).hexdigest()
    return {
        "ruleId": INPUT_RULE,
        "ruleIndex": index,
        "level": level,
        "message": {"text": f"{p.problem.path}: {p.problem.message} ({p.type} {p.name})"},
        "locations": [_location(report, p.urn)],
        "partialFingerprints": {"pulumiInputProblem/v1": fingerprint[:32]},
        "properties": {"kind": p.problem.kind, "path": p.problem.path},
    }


def sarif(report: CheckReport, strict_inputs: bool = False) -> dict[str, Any]:
    level = input_problem_level(strict_inputs)
    rules = [_rule(p) for p in report.pack.policies] + [_input_rule(level)]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    problems = [_input_result(report, p, level, rule_index[INPUT_RULE]) for p in report.preview.input_problems]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": report.pack.name,
                        "version": report.pack.version,
                        "semanticVersion": report.pack.version,
                        "informationUri": "https://www.pulumi.com/docs/iac/crossguard/",
                        "rules": rules,
                    }
                },
                # One category per stack, so code scanning keeps each stack's alerts apart.
                "automationDetails": {"id": f"pulumi-policy/{report.preview.config.stack}/"},
                "results": [_result(report, d, rule_index) for d in report.diagnostics] + problems,
            }
        ],
    }
