"""Every policy has fixtures, a catalogue entry and a place in the coverage matrix."""

from __future__ import annotations

import importlib.util
import re

import pytest
from conftest import CHECKLIST, ROOT

from hardening import ALL

HERE = ROOT / "tests" / "policies"


def _cases():
    for path in sorted(HERE.glob("test_*_policies.py")):
        spec = importlib.util.spec_from_file_location(f"_cases_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield from module.CASES


def test_every_policy_has_a_violating_and_a_compliant_fixture():
    assert {case.policy for case in _cases()} == {p.name for p in ALL}


def test_pack_has_at_least_55_policies_with_unique_names():
    names = [p.name for p in ALL]
    assert len(names) >= 55 and len(set(names)) == len(names)


def test_catalogue_documents_every_policy():
    catalogue = (ROOT / "docs" / "policies.md").read_text()
    assert [p.name for p in ALL if f"`{p.name}`" not in catalogue] == []


def test_coverage_matrix_maps_every_checklist_id():
    if CHECKLIST is None:
        pytest.skip("shared checklist not available")
    ids = re.findall(r"^- ((?:SEC|NET|DB|HOST|OBS|DEP|IAM|API|K8S)-\d+) ", CHECKLIST.read_text(), re.MULTILINE)
    matrix = (ROOT / "docs" / "coverage-matrix.md").read_text()
    assert ids and [i for i in ids if f"| {i} |" not in matrix] == []
