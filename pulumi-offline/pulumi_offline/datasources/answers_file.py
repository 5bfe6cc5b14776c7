"""The answers file (`--answers FILE`, YAML or JSON): the user's own answers to provider
functions, overriding the built-in ones.

    aws:ec2/getAmi:getAmi:
      - args: {owners: [amazon]}        # optional: matches calls whose arguments include these
        result: {id: ami-0123456789abcdef0, architecture: x86_64}
      - result: {id: ami-0fedcba9876543210}   # no args: any other call
    aws:route53/getZone:getZone:
      result: {zoneId: Z0123456789ABCDEFGHIJ, name: example.com}

Keys are function tokens; each holds one entry or a list, tried in order. Argument and result
names are the provider's wire names (camelCase, as in `pulumi preview --json` and the
registry's YAML examples). `args` is a subset match: every key given must equal the call's,
nested mappings compare the same way, lists must be equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class AnswersFileError(ValueError):
    """An answers file that cannot be read or has the wrong shape."""


@dataclass(frozen=True)
class Entry:
    args: Mapping[str, Any]
    result: Mapping[str, Any]


@dataclass(frozen=True)
class AnswersFile:
    entries: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
    path: str = ""

    def lookup(self, token: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first entry of `token` whose `args` the call's arguments include."""
        for entry in self.entries.get(token, ()):
            if _includes(args, entry.args):
                return dict(entry.result)
        return None


def _includes(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(actual, Mapping) and all(_includes(actual.get(k), v) for k, v in wanted.items())
    # Wire numbers are floats; 1.0 == 1 holds.
    return actual == wanted


def _entry(value: Any, where: str) -> Entry:
    if not isinstance(value, Mapping) or not isinstance(value.get("result"), Mapping):
        raise AnswersFileError(f"{where}: expected a mapping with 'result' (a mapping) and optional 'args'")
    unknown = set(value) - {"args", "result"}
    if unknown:
        raise AnswersFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (expected 'args', 'result')")
    args = value.get("args") or {}
    if not isinstance(args, Mapping):
        raise AnswersFileError(f"{where}.args: expected a mapping of argument names to values")
    return Entry(args, value["result"])


def parse_answers(document: Any, path: str = "answers") -> AnswersFile:
    """Validate a loaded answers document; every problem names its place (`path: token[1]`)."""
    if document is None:
        return AnswersFile(path=path)
    if not isinstance(document, Mapping):
        raise AnswersFileError(f"{path}: expected a mapping of function tokens to answers")
    entries: dict[str, tuple[Entry, ...]] = {}
    problems = []
    for token, value in document.items():
        if not isinstance(token, str) or token.count(":") != 2:
            problems.append(f"{path}: {token!r} is not a function token like 'aws:ec2/getAmi:getAmi'")
            continue
        items = value if isinstance(value, list) else [value]
        try:
            entries[token] = tuple(
                _entry(item, f"{path}: {token}" + (f"[{i}]" if isinstance(value, list) else ""))
                for i, item in enumerate(items)
            )
        except AnswersFileError as exc:
            problems.append(str(exc))
    if problems:
        raise AnswersFileError("\n".join(problems))
    return AnswersFile(entries, path)


def load_answers(path: Path | str) -> AnswersFile:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise AnswersFileError(f"{path}: cannot read the answers file: {exc.strerror}") from exc
    try:
        # YAML is a superset of JSON: one parser reads both.
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AnswersFileError(f"{path}: not valid YAML or JSON: {exc}") from exc
    return parse_answers(document, str(path))


def snippet(token: str, args: Mapping[str, Any]) -> str:
    """The answers-file entry that would answer this call: its scalar arguments as the match,
    a result to fill in."""
    match = {k: v for k, v in sorted(args.items()) if isinstance(v, str | bool | int | float) and k != "region"}
    entry: dict[str, Any] = {"args": match} if match else {}
    entry["result"] = {"id": "<fill in>"}
    return "\n".join(
        "    " + line for line in yaml.safe_dump({token: [entry]}, sort_keys=False, width=120).splitlines()
    )
