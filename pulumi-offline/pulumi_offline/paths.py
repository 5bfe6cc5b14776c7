"""Property paths in the engine's notation (`ingress[0].fromPort`, `tags["aws:x"]`), shared by
the diff of two digests (`changes`) and the input checks (`shapes`)."""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def join_path(path: str, key: str | int) -> str:
    """`path` extended by a list index or a property name (quoted unless an identifier)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    segment = key if _IDENTIFIER.match(key) else f'["{key}"]'
    return f"{path}.{segment}" if path and not segment.startswith("[") else f"{path}{segment}"
