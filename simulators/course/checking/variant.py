"""Each learner's own version of a check's scene: the learner id, and the seed it gives.

Two learners who compare answers should not be able to copy numbers: each one's
check scene (amounts, ids, which deliveries drop, when the outages fall) is
seeded by their learner id. The id is HOOKLAB_LEARNER when set (the grader
sets it for each learner it replays; an empty value means the course's own
scene, which the project's tests and saved notebook outputs use), else the hub
user name JUPYTERHUB_USER (also kept in `~/.hooklab/learner`, for the grader), else
an id written on first use to `~/.hooklab/learner` (readable by its owner only). The course's printed
notebook outputs never depend on it: only the checks' scenes do.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

LEARNER_ENV = "HOOKLAB_LEARNER"
HUB_USER_ENV = "JUPYTERHUB_USER"
LEARNER_FILE = "learner"


def state_folder(home: Path | None = None) -> Path:
    """The learner's hooklab state folder: `~/.hooklab`."""
    return (home if home is not None else Path.home()) / ".hooklab"


def learner_id(home: Path | None = None) -> str:
    """Who is being checked: HOOKLAB_LEARNER, else JUPYTERHUB_USER, else the id saved in the state folder."""
    if home is None:
        named = os.environ.get(LEARNER_ENV)
        if named is not None:
            return named.strip()
        hub = os.environ.get(HUB_USER_ENV, "").strip()
        if hub:
            _remember(state_folder(), hub)
            return hub
    return saved_learner_id(state_folder(home))


def _remember(folder: Path, learner: str) -> None:
    """Keep the hub user name in the state folder too, so a grader reading the home replays the same scene."""
    path = folder / LEARNER_FILE
    try:
        if path.read_text(encoding="utf-8").strip() == learner:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(learner + "\n")
    except OSError:
        pass  # a read-only home: the grader falls back to the folder's name


def saved_learner_id(folder: Path, *, create: bool = True) -> str:
    """The id in `folder/learner`, written (mode 0600) with a fresh random id on first use."""
    path = folder / LEARNER_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if not create:
            return ""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    learner = f"learner-{secrets.token_hex(4)}"
    try:
        # O_EXCL: two kernels starting at once keep the first one's id, not both.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(learner + "\n")
    return learner


def graded_learner_id(copy: Path, name: str) -> str:
    """The id a learner's checks used, read from their copy of the course: their saved id, else `name`.

    A hub mounts each home with the course inside it (`/home/ada/hooklab`), so the state folder is
    looked for in the copy and in the folder above it; without one the hub user name is `name`.
    """
    for folder in (copy, copy.parent):
        saved = saved_learner_id(state_folder(folder), create=False)
        if saved:
            return saved
    return name


@dataclass(frozen=True)
class Variant:
    """One learner's scene: `seed` 0 is the course's own (no learner)."""

    learner: str = ""
    seed: int = 0

    @classmethod
    def of(cls, learner: str) -> Variant:
        if not learner:
            return cls()
        digest = hashlib.sha256(f"hooklab variant:{learner}".encode()).digest()
        return cls(learner, int.from_bytes(digest[:4], "big") or 1)

    def lab_seed(self, base: int) -> int:
        """The lab seed of a check whose own scene uses `base`."""
        return base if not self.seed else (base * 1_000_003 + self.seed) % 2**31

    def rng(self, label: str) -> random.Random:
        """A random source for one part of a scene, the same every time for this learner."""
        return random.Random(f"{label}:{self.seed}")

    def seeds(self, base: tuple[int, ...]) -> tuple[int, ...]:
        """The seeds of a multi-run check (storms, outage schedules): the course's, or this learner's own."""
        if not self.seed:
            return base
        return tuple(self.lab_seed(seed) for seed in base)


def current_variant() -> Variant:
    """The variant of whoever is being checked in this process."""
    return Variant.of(learner_id())
