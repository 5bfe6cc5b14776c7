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


class DefaultProviders:
    """The engine's default provider per package, made on first use: `assign` gives a resource
    registered without an explicit provider the default one, as the engine hands it over."""

    def __init__(self, project: str, stack: str, config: StackConfig) -> None:
        self.project, self.stack, self.config = project, stack, config
        self.made: dict[str, Registration] = {}

    def _make(self, package: str) -> Registration:
        name = f"default_{plugin_version(package).replace('.', '_')}"
        type_ = f"{PROVIDER_TYPE_PREFIX}{package}"
        return Registration(
            urn=make_urn(self.stack, self.project, "", type_, name),
            type=type_,
            name=name,
            custom=True,
            parent="",
            provider="",
            raw_inputs=provider_inputs(package, self.config),
            protect=False,
            dependencies=[],
            aliases=[],
            options={},
            # Not created yet at preview: the engine shows the unknown id.
            id=UNKNOWN_ID,
        )

    def assign(self, resource: Registration) -> Registration:
        """`resource` with its default provider (a copy), or `resource` itself when it names its
        own, is a provider or is a component."""
        if not resource.custom or resource.provider or resource.type.startswith(PROVIDER_TYPE_PREFIX):
            return resource
        package = package_of(resource.type)
        if package not in self.made:
            self.made[package] = self._make(package)
        provider = self.made[package]
        # A shallow copy: `dataclasses.replace` re-runs __init__, a second per thousand resources.
        resource = copy.copy(resource)
        resource.provider = f"{provider.urn}::{provider.id}"
        return resource


def with_default_providers(graph: Graph, config: StackConfig) -> Graph:
    """A copy of `graph` with the engine's default providers added and referenced."""
    defaults = DefaultProviders(graph.project, graph.stack, config)
    resources = [defaults.assign(r) for r in graph]
    # Default providers register before the resources that use them, after the root stack.
    head = [r for r in resources if r.type == ROOT_STACK_TYPE]
    tail = [r for r in resources if r.type != ROOT_STACK_TYPE]
    return dataclasses.replace(graph, resources=head + list(defaults.made.values()) + tail)
