"""`pulumi-offline graph`: components, their main resources, and what uses what."""

from __future__ import annotations

import re

import pytest

from pulumi_offline import graph
from tests.conftest import REPO

from .conftest import FIXTURES, run_cli


def _mermaid_ids(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    defined = set(re.findall(r"^\s*(?:subgraph )?(\w+)\[", text, flags=re.M))
    edges = re.findall(r"^\s*(\w+) --> (\w+)$", text, flags=re.M)
    return defined, edges


def test_every_component_is_a_box(prod_digest):
    text = graph.mermaid(prod_digest)
    components = [s["newState"] for s in prod_digest["steps"] if not s["newState"]["custom"]]
    for component in components:
        if component["type"] != "pulumi:pulumi:Stack":
            assert f': {component["urn"].rsplit("::", 1)[-1]}"]' in text, component["urn"]


def test_main_resources_are_drawn_inside_their_component(prod_digest):
    text = graph.mermaid(prod_digest)
    keys = text[text.index('"Keys: prod-keys"') :].split("end")[0]
    assert "kms Key (5)<br/>alerts, backup, data, dr, logs" in keys


def test_edges_join_drawn_nodes(prod_digest):
    defined, edges = _mermaid_ids(graph.mermaid(prod_digest))
    assert edges
    for source, target in edges:
        assert source in defined and target in defined and source != target


def test_dot_output_is_balanced_and_edges_join_drawn_nodes(prod_digest):
    text = graph.dot(prod_digest)
    assert text.count("{") == text.count("}")
    defined = set(re.findall(r"^\s*(\w+) \[", text, flags=re.M))
    for source, target in re.findall(r"^\s*(\w+) -> (\w+)", text, flags=re.M):
        assert source in defined and target in defined


def test_the_readme_embeds_the_current_prod_diagram(prod_digest):
    readme = (REPO / "README.md").read_text()
    assert graph.embed(readme, graph.mermaid(prod_digest)) == readme, (
        "the README's prod diagram is stale: run `pulumi-offline graph --stack prod --embed README.md`"
    )


def test_embedding_needs_the_marker():
    with pytest.raises(ValueError, match="no <!-- pulumi-offline graph --> line"):
        graph.embed("# README\n", "flowchart LR")


def test_a_program_without_components_draws_loose_resources_and_their_edges():
    status, out, _ = run_cli("graph", "--program", FIXTURES / "datastore-base")
    assert status == 0
    ids = {label: node for node, label in re.findall(r'^\s*(\w+)\["([^"]+)"\]', out, flags=re.M)}
    # The database is encrypted with the key: the key is drawn feeding it.
    assert f"{ids['kms Key<br/>data']} --> {ids['rds Instance<br/>db']}" in out
    assert "s3 Bucket (2)<br/>assets, reports" in ids


def test_a_node_lists_a_few_names_and_elides_the_rest():
    from pulumi_offline.graph import MAX_NAMES, _node_label

    urns = [f"urn:pulumi:prod::platform::aws:cloudwatch/metricAlarm:MetricAlarm::prod-alarms-a{i}" for i in range(9)]
    label = _node_label("aws:cloudwatch/metricAlarm:MetricAlarm", urns, "prod-alarms")
    assert label.startswith("cloudwatch MetricAlarm (9)<br/>a0, a1")
    assert label.count(",") == MAX_NAMES and label.endswith(", …")
