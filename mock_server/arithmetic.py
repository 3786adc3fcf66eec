"""The code interpreter fake's calculator: plain arithmetic with bounded cost.

A prompt is user input, so the work one expression may cost is bounded before it is
done: the expression's length, the size of every intermediate integer (estimated
before an operation, never computed to find out) and the nesting depth. What cannot
be computed within those bounds prints a deterministic one-line log instead of a
value, as a program that failed would; the run still completes (see docs/fidelity.md).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPRESSION",
    "MAX_INTEGER_BITS",
    "TOO_LARGE",
    "evaluate",
]

MAX_EXPRESSION = 1_000
"""Characters of one expression; a longer one is not computed."""
MAX_INTEGER_BITS = 10_000
"""Bits of any integer an expression produces (about 3,000 decimal digits): below
Python's 4,300-digit limit on printing one, and cheap to multiply."""
MAX_DEPTH = 100
"""Nesting of operations (the evaluator recurses once per level)."""
TOO_LARGE = "couldn't compute: the numbers involved are too large"
"""The log of an expression past the bounds."""
_ZERO_DIVISION = "ZeroDivisionError: division by zero"

_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class _TooLarge(Exception):
    """The next operation would pass a bound."""


class _NotArithmetic(Exception):
    """Something other than numbers and the operators above."""


def _bits(value: float | int) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _check_size(op: ast.operator, left: float | int, right: float | int) -> None:
    """Refuse an integer operation whose result would pass `MAX_INTEGER_BITS`,
    from the operands' sizes alone."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return  # floats overflow (OverflowError) or saturate, at no cost
    if isinstance(op, ast.Pow):
        if right < 0 or abs(left) <= 1:
            return  # a float, or 0, 1 or -1
        estimate = math.ceil(right * math.log2(abs(left)))
    elif isinstance(op, ast.Mult):
        estimate = _bits(left) + _bits(right)
    else:
        estimate = max(_bits(left), _bits(right)) + 1
    if estimate > MAX_INTEGER_BITS:
        raise _TooLarge


def _value(node: ast.AST, depth: int = 0) -> float | int:
    if depth > MAX_DEPTH:
        raise _TooLarge
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        assert isinstance(value, int | float)
        if _bits(value) > MAX_INTEGER_BITS:
            raise _TooLarge
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _value(node.operand, depth + 1)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _value(node.left, depth + 1), _value(node.right, depth + 1)
        _check_size(node.op, left, right)
        result = _OPERATORS[type(node.op)](left, right)
        if not isinstance(result, int | float):  # a negative number to a fractional power
            raise _NotArithmetic
        if isinstance(result, float) and not math.isfinite(result):
            raise _TooLarge
        return result
    raise _NotArithmetic


def evaluate(expression: str) -> str | None:
    """What `print(<expression>)` shows (`^` is a power), a deterministic error log when
    it cannot be computed within the bounds, or None when it is not plain arithmetic."""
    if len(expression) > MAX_EXPRESSION:
        return TOO_LARGE
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        value = _value(tree.body)
    except _NotArithmetic:
        return None
    except (_TooLarge, OverflowError):
        return TOO_LARGE
    except ZeroDivisionError:
        return _ZERO_DIVISION
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
