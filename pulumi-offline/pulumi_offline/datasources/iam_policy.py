"""`aws.iam.getPolicyDocument`, computed locally: a pure function of its arguments, so the JSON
is the provider's own, byte for byte, not a placeholder.

The rules are the Terraform AWS provider's (`aws_iam_policy_document`, which pulumi-aws
bridges; https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):

- `actions`, `notActions`, `resources`, `notResources` and principal `identifiers` are sets:
  one value collapses to a string, several are sorted in reverse order;
- `effect` defaults to `Allow`, `version` to `2012-10-17`; `&{var}` becomes `${var}`;
- principals are keyed by type (`{"AWS": …, "Service": …}`); a lone `*` of type `*` is `"*"`;
- conditions group by test, then variable; values keep their order, one collapses to a string;
- `sourcePolicyDocuments` merge first (their Sids must be unique), then the statements, then
  `overridePolicyDocuments`: a statement whose Sid is already present replaces it in place;
- `json` is indented by two spaces, `minifiedJson` has no whitespace, both escape `<`, `>`
  and `&` as the provider's JSON encoder does; `id` is the CRC-32 of `json`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

TOKEN = "aws:iam/getPolicyDocument:getPolicyDocument"
DEFAULT_VERSION = "2012-10-17"
# Statement keys in the order the provider writes them.
STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)


class PolicyDocumentError(ValueError):
    """Arguments the provider rejects (duplicate Sids, a source document that is not JSON);
    `argument` names the one at fault."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


def _substitute(value: str) -> str:
    return value.replace("&{", "${")


def _string_set(values: Sequence[str] | None, *, substitute: bool = False) -> str | list[str] | None:
    """A set argument as the provider writes it: None when empty, one value as a string,
    several deduplicated and sorted in reverse."""
    unique = sorted({_substitute(v) if substitute else v for v in values or []}, reverse=True)
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else unique


def _principals(blocks: Sequence[Mapping[str, Any]] | None) -> dict[str, Any] | str | None:
    if not blocks:
        return None
    decoded = [(b.get("type", ""), _string_set(b.get("identifiers"), substitute=True)) for b in blocks]
    if len(decoded) == 1 and decoded[0] == ("*", "*"):
        return "*"
    merged: dict[str, Any] = {}
    for kind, identifiers in decoded:
        if identifiers is None:
            continue
        if isinstance(identifiers, str):
            held = merged.get(kind)
            merged[kind] = identifiers if held is None else [*([held] if isinstance(held, str) else held), identifiers]
        else:
            held = merged.get(kind)
            merged[kind] = [*([] if held is None else [held] if isinstance(held, str) else held), *identifiers]
    return dict(sorted(merged.items()))


def _collapse(grouped: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, Any]]:
    return {
        test: {variable: values[0] if len(values) == 1 else values for variable, values in sorted(variables.items())}
        for test, variables in sorted(grouped.items())
    }


def _conditions(blocks: Sequence[Mapping[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
    if not blocks:
        return None
    grouped: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        values = [_substitute(v) for v in block.get("values") or []]
        grouped.setdefault(block.get("test", ""), {}).setdefault(block.get("variable", ""), []).extend(values)
    return _collapse(grouped)


def _statement(block: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        "Sid": block.get("sid") or None,
        "Effect": block.get("effect") or "Allow",
        "Action": _string_set(block.get("actions")),
        "NotAction": _string_set(block.get("notActions")),
        "Resource": _string_set(block.get("resources"), substitute=True),
        "NotResource": _string_set(block.get("notResources"), substitute=True),
        "Principal": _principals(block.get("principals")),
        "NotPrincipal": _principals(block.get("notPrincipals")),
        "Condition": _conditions(block.get("conditions")),
    }
    return {k: v for k, v in fields.items() if v is not None}


def _reencoded_principals(value: Any) -> Any:
    """A principal read from a source document and written back: `"*"` stays, identifier
    lists come out sorted in reverse."""
    if not isinstance(value, dict):
        return value
    return {k: sorted(v, reverse=True) if isinstance(v, list) else v for k, v in sorted(value.items())}


def _reencoded_conditions(value: Any) -> Any:
    """Conditions read from a source document and written back (booleans become strings,
    values the provider cannot read, such as numbers, are dropped, as it drops them)."""
    if not isinstance(value, dict):
        return value
    grouped: dict[str, dict[str, list[str]]] = {}
    for test, variables in value.items():
        for variable, values in (variables or {}).items():
            if isinstance(values, bool):
                values = [str(values).lower()]
            elif isinstance(values, str):
                values = [values]
            elif not isinstance(values, list):
                continue
            grouped.setdefault(test, {})[variable] = [str(v) for v in values]
    return _collapse(grouped)


def _parsed(text: str, what: str, argument: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyDocumentError(f"{what} is not JSON: {exc}", argument) from exc
    if not isinstance(document, dict):
        raise PolicyDocumentError(f"{what} is not a JSON object", argument)
    statements = document.get("Statement") or []
    if not isinstance(statements, list):
        raise PolicyDocumentError(f"{what}: Statement must be a list to be merged", argument)
    fixed = []
    for statement in statements:
        statement = {k: statement[k] for k in STATEMENT_KEYS if statement.get(k) not in (None, "", [], {})}
        if "Principal" in statement:
            statement["Principal"] = _reencoded_principals(statement["Principal"])
        if "NotPrincipal" in statement:
            statement["NotPrincipal"] = _reencoded_principals(statement["NotPrincipal"])
        if "Condition" in statement:
            statement["Condition"] = _reencoded_conditions(statement["Condition"])
        fixed.append(statement)
    return {"Version": document.get("Version") or "", "Id": document.get("Id") or "", "Statement": fixed}


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    """The provider's merge: adopt a non-empty Id, upgrade the Version, replace statements
    with the same Sid in place and append the rest."""
    if new["Id"]:
        into["Id"] = new["Id"]
    if new["Version"] > into["Version"]:
        into["Version"] = new["Version"]
    for statement in new["Statement"]:
        sid = statement.get("Sid")
        index = next((i for i, s in enumerate(into["Statement"]) if sid and s.get("Sid") == sid), None)
        if index is None:
            into["Statement"].append(statement)
        else:
            into["Statement"][index] = statement


def _encoded(document: dict[str, Any], indent: int | None) -> str:
    ordered = {k: document[k] for k in ("Version", "Id", "Statement") if document[k]}
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(ordered, indent=indent, separators=separators, ensure_ascii=False)
    # The provider's encoder escapes HTML-significant characters.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The getPolicyDocument result for wire-form `args`."""
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    seen: set[str] = set()
    for index, source in enumerate(args.get("sourcePolicyDocuments") or []):
        if source is None:
            continue
        parsed = _parsed(source, f"source policy document {index}", "sourcePolicyDocuments")
        for statement in parsed["Statement"]:
            sid = statement.get("Sid")
            if sid and sid in seen:
                message = f"duplicate Sid ({sid}) in sourcePolicyDocuments (document {index})"
                raise PolicyDocumentError(message, "sourcePolicyDocuments")
            if sid:
                seen.add(sid)
        _merge(merged, parsed)

    own_sids: set[str] = set()
    statements = []
    for block in args.get("statements") or []:
        statement = _statement(block)
        sid = statement.get("Sid")
        if sid and sid in own_sids:
            raise PolicyDocumentError(f"duplicate Sid ({sid}) in statements", "statements")
        if sid:
            own_sids.add(sid)
        statements.append(statement)
    version = args.get("version") or DEFAULT_VERSION
    _merge(merged, {"Version": version, "Id": args.get("policyId") or "", "Statement": statements})

    for index, override in enumerate(args.get("overridePolicyDocuments") or []):
        if override is not None:
            _merge(merged, _parsed(override, f"override policy document {index}", "overridePolicyDocuments"))

    text = _encoded(merged, indent=2)
    return {
        **args,
        "id": str(zlib.crc32(text.encode())),
        "json": text,
        "minifiedJson": _encoded(merged, indent=None),
        "version": version,
    }


def summary(args: Mapping[str, Any]) -> str:
    """What the listing shows for one call: how many statements and documents merged."""
    parts = [f"{len(args.get('statements') or [])} statement(s)"]
    for key in ("sourcePolicyDocuments", "overridePolicyDocuments"):
        if args.get(key):
            parts.append(f"{len(args[key])} {key}")
    return ", ".join(parts)
