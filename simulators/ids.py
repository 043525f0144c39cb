"""Seeded, readable ids: `cus_` + 14 characters, the same for the same seed.

Each id is derived from (seed, system, prefix, n) where n counts per prefix in
the system's store, so ids stay unique across a restart on the same state
folder and two labs with the same seed hand out the same ids in the same order.
"""

from __future__ import annotations

import hashlib
import string

from .store import Store

_ALPHABET = string.digits + string.ascii_letters


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


class IdFactory:
    """Hands out ids for one system."""

    def __init__(self, store: Store, *, seed: int, namespace: str) -> None:
        self._store = store
        self._seed = seed
        self._namespace = namespace

    def new(self, prefix: str, width: int = 14) -> str:
        n = self._store.next_value(f"id:{prefix}")
        return f"{prefix}_{self.token(f'{prefix}:{n}', width)}"

    def token(self, label: str, width: int = 24) -> str:
        """A stable secret-looking string for `label` (keys, secrets, tokens)."""
        digest = hashlib.sha256(f"{self._seed}:{self._namespace}:{label}".encode()).digest()
        return _base62(int.from_bytes(digest, "big"), width)
