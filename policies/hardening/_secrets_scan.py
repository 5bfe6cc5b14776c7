"""Recognising plaintext secrets in free text (user data, environment literals, tags).

Findings name the kind of secret and where it is, never the value.
"""

from __future__ import annotations

import base64
import binascii
import re

_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
SECRET_NAME = re.compile(
    r"(passw(or)?d|pass\b|_pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)",
    re.IGNORECASE,
)
# Names that say where a secret lives or how it is handled, not the secret itself
# (SECRET_ID=prod/db, JWT_SECRET_NAME, API_TOKEN_PARAM, PASSWORD_POLICY).
_REFERENCE_NAME = re.compile(
    r"[_.-](ids?|names?|arns?|params?|parameters?|paths?|polic(y|ies)|files?|refs?|keys?_ids?|length|ttl|enabled)$",
    re.IGNORECASE,
)
# Credentials in a connection URL (postgresql://user:pw@host) and on a client's command line
# (mysql -pPASSWORD, --password=PASSWORD); a $VARIABLE or {{template}} there is a lookup.
_URL_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:(?P<value>[^\s/@]+)@", re.IGNORECASE)
_CLIENT_PASSWORD = re.compile(r"(?:\bmysql\w*\b[^\n]*?\s-p|--password[= ])(?P<value>[^\s\"']+)")
# NAME=value / name: value where the value is a literal, not a lookup ($VAR, $(cmd), {{resolve:…}}, an ARN
# or SSM parameter path that names where the secret lives).
_ASSIGNMENT = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*[:=]\s*[\"']?(?P<value>[^\s\"'$`{][^\s\"']*)",
)
_REFERENCE = re.compile(r"^(arn:|/|resolve:|ssm:|secretsmanager:|https?://)")


def looks_like_reference(value: str) -> bool:
    return bool(_REFERENCE.match(value))


def _literal_secret_value(value: str) -> bool:
    """Long enough to be a credential and not a setting (a number, a flag, a lookup)."""
    plain = value.strip()
    return (
        len(plain) >= 8
        and not plain.isdigit()
        and plain.lower() not in ("true", "false", "enabled", "disabled")
        and not looks_like_reference(plain)
    )


def decode_user_data(value: str) -> str:
    """User data as text: launch templates carry base64, instances usually plain text."""
    stripped = value.strip()
    if stripped and re.fullmatch(r"[A-Za-z0-9+/=\s]+", stripped) and len(stripped) % 4 == 0:
        try:
            return base64.b64decode(stripped, validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return value
    return value


def _names_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not _REFERENCE_NAME.search(name)


def _is_lookup(value: str) -> bool:
    return value.startswith(("$", "{{", "%", "<")) or looks_like_reference(value)


def findings(text: str) -> list[str]:
    """What kinds of plaintext secret `text` contains (descriptions only)."""
    found = []
    if _PRIVATE_KEY.search(text):
        found.append("a private key")
    if _ACCESS_KEY.search(text):
        found.append("an AWS access key id")
    if any(not _is_lookup(m.group("value")) for m in _URL_CREDENTIALS.finditer(text)):
        found.append("a password in a connection URL")
    if any(not _is_lookup(m.group("value")) for m in _CLIENT_PASSWORD.finditer(text)):
        found.append("a password on a database client's command line")
    for match in _ASSIGNMENT.finditer(text):
        name, value = match.group("name"), match.group("value")
        if _names_secret(name) and _literal_secret_value(value):
            found.append(f"a literal value for '{name}'")
    return found


def is_secret_literal(name: str, value: str) -> bool:
    """An environment variable / tag whose name says secret and whose value is a literal, or
    whose value carries a credential whatever the name (a connection URL with a password)."""
    return (_names_secret(name) and _literal_secret_value(value)) or bool(findings(value))
