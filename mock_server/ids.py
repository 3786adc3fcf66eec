"""The server's only source of randomness: a seeded id factory.

Each prefix draws from its own stream, seeded from the server seed and the prefix,
so creating a thread never changes the id the next assistant gets, and the same seed
with the same requests always gives the same ids. A stream's position is the number of
characters it has drawn (`positions`): a lasting store keeps them, and a factory made
with them continues where the old one stopped, so no id is ever handed out twice.
"""

from __future__ import annotations

import random
import string
import threading
from enum import StrEnum

__all__ = ["MAX_POSITION", "IdFactory", "Prefix"]

_BASE62 = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
MAX_POSITION = 10**9
"""The furthest a stream may be moved to (characters drawn): ~10 s of `restore`, where
a server answering a million requests a day draws ~3 * 10**7 a day. A store or snapshot
naming a position past it is refused, not waited on."""
_SKIP_WORDS = 1 << 15
"""32-bit words of the generator skipped per `getrandbits` call in `restore` (a 128 KiB
integer): bounds the memory of moving to a far position."""


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

    def __init__(self, seed: int = 0, positions: dict[str, int] | None = None) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self._drawn: dict[str, int] = {}
        self._lock = threading.Lock()
        self.revision = 0
        """Moves whenever an object id is drawn or the positions are restored (request ids
        aside, which move on every request): a lasting store rewrites the positions only
        when it moved."""
        self.restore(positions or {})

    def restore(self, positions: dict[str, int]) -> None:
        """Start over from the seed, then move each stream to its position (a count from
        0 to `MAX_POSITION`: else `ValueError`, naming the stream)."""
        for name, drawn in positions.items():
            if not 0 <= drawn <= MAX_POSITION:
                raise ValueError(
                    f"ids[{name!r}]: {drawn} is not a position from 0 to {MAX_POSITION:,}"
                )
        with self._lock:
            self._streams.clear()
            self._drawn.clear()
            for name, drawn in positions.items():
                _skip(self._stream(name), drawn)
                self._drawn[name] = drawn
            self.revision += 1

    def _stream(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(f"{self.seed}:{name}")
            self._drawn[name] = 0
        return stream

    def _draw(self, name: str, alphabet: str, length: int) -> str:
        drawn = "".join(self._stream(name).choices(alphabet, k=length))
        self._drawn[name] += length
        return drawn

    def positions(self) -> dict[str, int]:
        """How far each stream has drawn, by prefix (`req_` for request ids)."""
        with self._lock:
            return {name: drawn for name, drawn in sorted(self._drawn.items()) if drawn}

    def drawn(self, name: str) -> int:
        """How far one stream has drawn (`req_` for request ids)."""
        return self._drawn.get(name, 0)

    def new(self, prefix: Prefix, *, length: int = 24, hex: bool = False) -> str:
        """A new id such as `asst_` + 24 base62 characters.

        `length` and `hex` give the other shapes the real API uses (`file-` + 22 base62,
        `vs_` + 32 lowercase hex); they draw from the prefix's own stream all the same.
        """
        with self._lock:
            self.revision += 1
            return prefix.value + self._draw(prefix.value, _HEX if hex else _BASE62, length)

    def request_id(self) -> str:
        """A new `x-request-id`: `req_` + 32 lowercase hex digits."""
        with self._lock:
            return "req_" + self._draw("req_", _HEX, 32)


def _skip(stream: random.Random, draws: int) -> None:
    """Move `stream` past `draws` characters, as `choices` would have drawn them, without
    drawing them one by one: each character is one `random()`, which takes two 32-bit
    words of the Mersenne Twister, and `getrandbits(32 * n)` takes exactly n words."""
    words = 2 * draws
    while words:
        step = min(words, _SKIP_WORDS)
        stream.getrandbits(32 * step)
        words -= step
