"""A tiny evaluator for the CloudWatch metric-math expressions the alarms and dashboard use, so
tests can feed an expression sample numbers and check the answer rather than the text.

Covers what the expressions here need: numbers, metric ids, + - * /, comparisons, and the
functions IF(condition, then, else) and FILL(metric, value). A metric without a datapoint is
None (CloudWatch's "no data"): FILL replaces it, and arithmetic on it yields None, as in
CloudWatch, where a missing input gives no datapoint. Division by zero yields None as well."""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping

from tests.safe_ast import parse

Value = float | None
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
COMPARE = {
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def evaluate(expression: str, values: Mapping[str, Value]) -> Value:
    """The value of `expression` when each metric id has the datapoint `values[id]`."""
    return _eval(parse(expression, "<expression>", "eval").body, values)


def _eval(node: ast.expr, values: Mapping[str, Value]) -> Value:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise KeyError(f"the expression reads {node.id!r}, which no query defines")
        return values[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = _eval(node.operand, values)
        return None if operand is None else -operand
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        left, right = _eval(node.left, values), _eval(node.right, values)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE:
        left, right = _eval(node.left, values), _eval(node.comparators[0], values)
        if left is None or right is None:
            return None
        return 1.0 if COMPARE[type(node.ops[0])](left, right) else 0.0
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = node.args
        if node.func.id == "FILL" and len(args) == 2:
            value = _eval(args[0], values)
            return _eval(args[1], values) if value is None else value
        if node.func.id == "IF" and len(args) == 3:
            condition = _eval(args[0], values)
            if condition is None:
                return None
            return _eval(args[1] if condition else args[2], values)
    raise ValueError(f"unsupported metric math: {ast.unparse(node)}")
