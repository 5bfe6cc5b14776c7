"""Reading IAM-style policy documents (identity, trust and resource policies) the way AWS does.

A document arrives as a JSON string (`json.dumps`, `get_policy_document(...).json`) or as a
dict; `Statement`, `Action`, `Resource` and `Principal` may each be one value or a list, and keys
are matched case-insensitively because hand-written dicts vary. Findings name the statement
(its `Sid` or index), never a value that could be secret.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Mapping
from typing import Any

from ._helpers import items, json_document, strings

# Condition keys that tie an "anyone" principal to one account, organisation, source or network
# (IAM User Guide, "AWS global condition context keys"; KMS Developer Guide, kms:CallerAccount).
_NARROWING_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "kms:calleraccount",
}
# Operators that restrict to the listed values; negated, `…IfExists` and `Null` operators do not.
_NARROWING_OPERATORS = {
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
    "ipaddress",
    "foranyvalue:stringequals",
    "foranyvalue:stringlike",
}


def field(statement: Any, key: str) -> Any:
    """`statement[key]`, with the key matched case-insensitively."""
    if not isinstance(statement, Mapping):
        return None
    wanted = key.lower()
    return next((statement[k] for k in statement if isinstance(k, str) and k.lower() == wanted), None)


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The document's statements (an unparseable document has none)."""
    parsed = json_document(document)
    return [s for s in items(field(parsed, "Statement")) if isinstance(s, Mapping)]


def label(statement: Mapping[str, Any], index: int) -> str:
    sid = field(statement, "Sid")
    return f"statement '{sid}'" if isinstance(sid, str) and sid else f"statement {index}"


def allows(statement: Mapping[str, Any]) -> bool:
    return str(field(statement, "Effect") or "").lower() == "allow"


def values(statement: Mapping[str, Any], key: str) -> list[str]:
    return strings(field(statement, key))


def anyone(principal: Any) -> bool:
    """`"*"` or `{"AWS": "*"}`: every AWS account and anonymous callers."""
    if principal == "*":
        return True
    return "*" in strings(field(principal, "AWS"))


def _narrows(operator: str, key: str, value: Any) -> bool:
    if operator.lower() not in _NARROWING_OPERATORS or key.lower() not in _NARROWING_KEYS:
        return False
    listed = strings(value)
    if not listed or any(v.strip() in ("", "*") for v in listed):
        return False
    if key.lower() == "aws:sourceip":
        return all(_bounded_network(v) for v in listed)
    return True


def _bounded_network(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen > 0
    except ValueError:
        return False


def narrowed(statement: Mapping[str, Any]) -> bool:
    """Whether a condition limits the statement to one account, organisation, source or network."""
    condition = field(statement, "Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator in condition:
        block = condition[operator]
        if isinstance(block, Mapping) and any(_narrows(str(operator), str(k), block[k]) for k in block):
            return True
    return False


def public_statements(document: Any) -> list[str]:
    """Labels of Allow statements open to anyone: `*` principals or `NotPrincipal`, unconditioned."""
    found = []
    for index, statement in enumerate(statements(document)):
        if not allows(statement):
            continue
        if field(statement, "NotPrincipal") is not None:
            found.append(f"{label(statement, index)} allows everyone but its NotPrincipal")
        elif anyone(field(statement, "Principal")) and not narrowed(statement):
            found.append(
                f"{label(statement, index)} allows Principal '*' with no condition naming an account, "
                "organisation or source"
            )
    return found


def denies_insecure_transport(document: Any, data_actions: tuple[str, ...]) -> bool:
    """A Deny for every principal, covering each of `data_actions`, when aws:SecureTransport is false."""
    for statement in statements(document):
        if allows(statement) or not anyone(field(statement, "Principal")):
            continue
        patterns = [a.lower() for a in values(statement, "Action")]
        if not all(any(fnmatch.fnmatchcase(action.lower(), p) for p in patterns) for action in data_actions):
            continue
        block = field(field(statement, "Condition"), "Bool")
        if str(field(block, "aws:SecureTransport")).lower() == "false":
            return True
    return False
