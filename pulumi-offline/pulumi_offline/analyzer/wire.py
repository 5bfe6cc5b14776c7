"""Recorded values as the engine marshals them into protobuf Structs (KeepSecrets, KeepUnknowns):
secrets as secret-signature objects, values unknown during preview as the unknown sentinel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc

from ..program import Secret, Unknown


def to_wire(value: Any) -> Any:
    """A recorded value as the engine marshals it."""
    if isinstance(value, Secret):
        return {rpc._special_sig_key: rpc._special_secret_sig, "value": to_wire(value.value)}
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """A property map as a Struct; absent (None) properties are left out, as the engine does."""
    struct = struct_pb2.Struct()
    struct.update({k: to_wire(v) for k, v in props.items() if v is not None})
    return struct
