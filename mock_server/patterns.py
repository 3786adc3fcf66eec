"""Scripted message patterns: user-supplied regular expressions, matched in linear time.

A pattern is matched inside a request while every other request waits, so Python's
backtracking `re` (where `(a+)+$` against 24 `a`s and a `!` takes seconds, doubling per
character) is not used. RE2 matches in time linear in the text and refuses, when a rule
is loaded, the constructs that would need backtracking: backreferences (`\\1`) and
lookaround (`(?=…)`, `(?<!…)`). Its compiled program is capped in memory, so a huge
pattern is refused too. Matching is a case-insensitive search, as before.
"""

from __future__ import annotations

import functools
from typing import Any

import re2

__all__ = ["MAX_PATTERN_MEMORY", "check_pattern", "search"]

MAX_PATTERN_MEMORY = 8 << 20
"""Bytes RE2 may use for one compiled pattern (its default); past it a pattern is refused."""


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # the error is raised to the caller, not printed on stderr
    options.max_mem = MAX_PATTERN_MEMORY
    return options


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(
            f"not a regular expression RE2 accepts ({reason}); see the README's scripting "
            "section: no backreferences or lookaround"
        ) from None


def check_pattern(pattern: str) -> str:
    """`pattern`, or a `ValueError` saying why it cannot be used."""
    _compiled(pattern)
    return pattern


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` (already checked) occurs in `text`, ignoring case."""
    return _compiled(pattern).search(text) is not None
