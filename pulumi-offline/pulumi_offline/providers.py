"""Default providers: what the engine adds for resources registered without an explicit one.

The engine creates one `pulumi:providers:<package>::default_<version>` per package, configured
from the stack's `<package>:*` config (e.g. `aws:region`, `aws:defaultTags`), and hands that
provider to every resource without its own. The offline graph gets the same, so the preview and
the policy pack see what `pulumi preview` sees.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.metadata
import json
from importlib import resources

from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_ID

from .program import ROOT_STACK_TYPE, Graph, Registration, Secret, make_urn
from .stackconfig import StackConfig

PROVIDER_TYPE_PREFIX = "pulumi:providers:"


def package_of(type_token: str) -> str:
    return type_token.split(":")[0]


def plugin_version(package: str) -> str:
    """The provider plugin version the installed SDK asks for (its pulumi-plugin.json)."""
    try:
        meta = json.loads(resources.files(f"pulumi_{package}").joinpath("pulumi-plugin.json").read_text())
        return meta["version"]
    except (ModuleNotFoundError, FileNotFoundError, KeyError, ValueError):
        try:
            return importlib.metadata.version(f"pulumi-{package}")
        except importlib.metadata.PackageNotFoundError:
            return "0.0.0"


def provider_inputs(package: str, config: StackConfig) -> dict:
    """The `<package>:*` config as the provider's inputs (secret values stay secret)."""
    inputs: dict = {}
    for key, value in sorted(config.values.items()):
        namespace, _, name = key.partition(":")
        if namespace == package:
            inputs[name] = Secret(value) if key in config.secret_keys else value
    inputs["version"] = plugin_version(package)
    return inputs


def _default_provider(package: str, graph: Graph, config: StackConfig) -> Registration:
    name = f"default_{plugin_version(package).replace('.', '_')}"
    type_ = f"{PROVIDER_TYPE_PREFIX}{package}"
    return Registration(
        urn=make_urn(graph.stack, graph.project, "", type_, name),
        type=type_,
        name=name,
        custom=True,
        parent="",
        provider="",
        raw_inputs=provider_inputs(package, config),
        protect=False,
        dependencies=[],
        aliases=[],
        options={},
        # Not created yet at preview: the engine shows the unknown id.
        id=UNKNOWN_ID,
    )


def with_default_providers(graph: Graph, config: StackConfig) -> Graph:
    """A copy of `graph` with the engine's default providers added and referenced."""
    defaults: dict[str, Registration] = {}
    resources: list[Registration] = []
    for resource in graph:
        if resource.custom and not resource.provider and not resource.type.startswith(PROVIDER_TYPE_PREFIX):
            package = package_of(resource.type)
            if package not in defaults:
                defaults[package] = _default_provider(package, graph, config)
            # A shallow copy: `dataclasses.replace` re-runs __init__, a second per thousand resources.
            resource = copy.copy(resource)
            resource.provider = f"{defaults[package].urn}::{defaults[package].id}"
        resources.append(resource)
    # Default providers register before the resources that use them, after the root stack.
    head = [r for r in resources if r.type == ROOT_STACK_TYPE]
    tail = [r for r in resources if r.type != ROOT_STACK_TYPE]
    return dataclasses.replace(graph, resources=head + list(defaults.values()) + tail)
