"""What the pack answers, decoded: its info (policies, levels, config schemas), diagnostics and
remediations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2 as pb

ENFORCEMENT_LEVELS = {
    pb.ADVISORY: "advisory",
    pb.MANDATORY: "mandatory",
    pb.REMEDIATE: "remediate",
    pb.DISABLED: "disabled",
}
LEVEL_VALUES = {v: k for k, v in ENFORCEMENT_LEVELS.items()}
SEVERITIES = {
    pb.POLICY_SEVERITY_UNSPECIFIED: "",
    pb.POLICY_SEVERITY_LOW: "low",
    pb.POLICY_SEVERITY_MEDIUM: "medium",
    pb.POLICY_SEVERITY_HIGH: "high",
    pb.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation, as the engine reports it."""

    policy_name: str
    policy_pack_name: str
    policy_pack_version: str
    enforcement_level: str
    message: str
    urn: str
    description: str
    severity: str

    @classmethod
    def from_proto(cls, d: pb.AnalyzeDiagnostic, urn: str = "") -> Diagnostic:
        return cls(
            policy_name=d.policyName,
            policy_pack_name=d.policyPackName,
            policy_pack_version=d.policyPackVersion,
            enforcement_level=ENFORCEMENT_LEVELS[d.enforcementLevel],
            message=d.message,
            # Resource diagnostics carry no URN; the engine attributes them to the analyzed resource.
            urn=d.urn or urn,
            description=d.description,
            severity=SEVERITIES.get(d.severity, ""),
        )

    @property
    def mandatory(self) -> bool:
        return self.enforcement_level == "mandatory"


@dataclass(frozen=True)
class Remediation:
    """A policy's rewrite of a resource's inputs."""

    policy_name: str
    urn: str
    properties: dict[str, Any]
    diagnostic: str


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement_level: str
    severity: str
    tags: tuple[str, ...]
    remediation_steps: str
    config_schema: dict[str, Any]
    stack_policy: bool


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    policies: tuple[PolicyInfo, ...]

    def policy(self, name: str) -> PolicyInfo:
        for policy in self.policies:
            if policy.name == name:
                return policy
        raise KeyError(name)


def pack_info(response: pb.AnalyzerInfo) -> PackInfo:
    return PackInfo(
        name=response.name,
        version=response.version,
        policies=tuple(
            PolicyInfo(
                name=p.name,
                description=p.description,
                enforcement_level=ENFORCEMENT_LEVELS[p.enforcementLevel],
                severity=SEVERITIES.get(p.severity, ""),
                tags=tuple(p.tags),
                remediation_steps=p.remediation_steps,
                config_schema=json_format.MessageToDict(p.configSchema.properties),
                stack_policy=p.policy_type == pb.POLICY_TYPE_STACK,
            )
            for p in response.policies
        ),
    )
