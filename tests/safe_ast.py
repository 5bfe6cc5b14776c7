"""`ast.parse` with the garbage collector paused.

On CPython before 3.11.8 the AST constructor keeps its recursion depth in shared state; a
collection during a parse can release the GIL to another thread that parses too, and the first
parse then fails with "SystemError: AST constructor recursion depth mismatch" (cpython#106905).
The suite runs pack, gRPC and analysis threads beside its tests, and this machine's Python is 3.11.7.
"""

from __future__ import annotations

import ast
import gc
from typing import Literal, overload


@overload
def parse(source: str, filename: str = ..., mode: Literal["exec"] = ...) -> ast.Module: ...
@overload
def parse(source: str, filename: str, mode: Literal["eval"]) -> ast.Expression: ...
def parse(source: str, filename: str = "<unknown>", mode: Literal["exec", "eval"] = "exec") -> ast.mod:
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename, mode)
    finally:
        if enabled:
            gc.enable()
