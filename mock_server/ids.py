"""The server's only source of randomness: a seeded id factory.

Each prefix draws from its own stream, seeded from the server seed and the prefix,
so creating a thread never changes the id the next assistant gets, and the same seed
with the same requests always gives the same ids.
"""

from __future__ import annotations

import random
import string
import threading
from enum import StrEnum

__all__ = ["IdFactory", "Prefix"]

_BASE62 = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"


class Prefix(StrEnum):
    """Id prefixes as the real API writes them (most followed by 24 base62 characters)."""

    ASSISTANT = "asst_"
    THREAD = "thread_"
    MESSAGE = "msg_"
    RUN = "run_"
    STEP = "step_"
    CALL = "call_"
    VECTOR_STORE = "vs_"
    FILE = "file-"
    FILE_BATCH = "vsfb_"


class IdFactory:
    """Makes object ids and request ids from one seed."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self._lock = threading.Lock()

    def _stream(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(f"{self.seed}:{name}")
        return stream

    def new(self, prefix: Prefix, *, length: int = 24, hex: bool = False) -> str:
        """A new id such as `asst_` + 24 base62 characters.

        `length` and `hex` give the other shapes the real API uses (`file-` + 22 base62,
        `vs_` + 32 lowercase hex); they draw from the prefix's own stream all the same.
        """
        with self._lock:
            stream = self._stream(prefix.value)
            return prefix.value + "".join(stream.choices(_HEX if hex else _BASE62, k=length))

    def request_id(self) -> str:
        """A new `x-request-id`: `req_` + 32 lowercase hex digits."""
        with self._lock:
            return "req_" + "".join(self._stream("req_").choices(_HEX, k=32))
