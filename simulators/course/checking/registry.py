"""Which exercises exist, where their notebooks are, and the functions that check them.

Check modules live in the `exercises.checks` package (one `exNN_*.py` per
exercise) and register themselves with the `exercise` decorator. More check
modules can be loaded from files or folders named in HOOKLAB_CHECKS
(os.pathsep-separated): the project's tests use that for their sample exercise.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulators.course.checking.result import CheckResult

CHECKS_ENV = "HOOKLAB_CHECKS"
CheckFunction = Callable[..., Any]


@dataclass(frozen=True)
class Exercise:
    """One guided exercise: where its cells are and what checks them."""

    id: str
    notebook: str
    title: str
    fn: CheckFunction = field(repr=False)
    #: Names the learner's cells must define before the check can run.
    needs: tuple[str, ...] = ()
    #: Shown when the check fails without a hint of its own: a nudge, then the concept.
    hints: tuple[str, ...] = ()
    #: The lab a check that takes a `lab` argument gets (None: every system).
    systems: tuple[str, ...] | None = None
    seed: int = 7
    timeout: float = 60.0

    def wants(self, parameter: str) -> bool:
        """Whether the check function takes `parameter` (`lab`, `variant`)."""
        return parameter in inspect.signature(self.fn).parameters

    @property
    def source_file(self) -> str | None:
        return inspect.getsourcefile(self.fn)


class Registry:
    """Exercises by id, in the order they were registered."""

    def __init__(self) -> None:
        self._exercises: dict[str, Exercise] = {}
        self._lock = threading.Lock()

    def exercise(
        self,
        id: str,
        *,
        notebook: str,
        title: str,
        needs: Iterable[str] = (),
        hints: Iterable[str] = (),
        systems: Iterable[str] | None = None,
        seed: int = 7,
        timeout: float = 60.0,
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Register the decorated `check(ns)` or `check(ns, lab)` as the check of exercise `id`."""
        if not id.replace("_", "").isalnum():
            raise ValueError(f"an exercise id uses letters, digits and _ only, such as 'ex02_poller', not {id!r}")

        def register(fn: CheckFunction) -> CheckFunction:
            entry = Exercise(
                id,
                notebook,
                title,
                fn,
                tuple(needs),
                tuple(hints),
                tuple(systems) if systems is not None else None,
                seed,
                timeout,
            )
            with self._lock:
                known = self._exercises.get(id)
                if known is not None and _origin(known.fn) != _origin(fn):
                    raise ValueError(f"exercise {id!r} is already registered by {_origin(known.fn)}")
                self._exercises[id] = entry  # the same module again (a reload) replaces it
            return fn

        return register

    def get(self, id: str) -> Exercise:
        try:
            return self._exercises[id]
        except KeyError:
            known = ", ".join(self._exercises) or "none are registered"
            raise KeyError(f"no exercise {id!r}; the exercises are: {known}") from None

    def all(self) -> list[Exercise]:
        return list(self._exercises.values())

    def __contains__(self, id: object) -> bool:
        return id in self._exercises

    def __len__(self) -> int:
        return len(self._exercises)

    def remove(self, id: str) -> None:
        with self._lock:
            self._exercises.pop(id, None)


def _origin(fn: CheckFunction) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


#: The exercises of this course; `exercise` registers into it.
registry = Registry()
exercise = registry.exercise

_loaded: set[str] = set()
_load_lock = threading.Lock()


def load_checks(extra: Iterable[str | Path] = (), *, course: bool = True) -> Registry:
    """Import every check module: the course's (unless `course=False`), then HOOKLAB_CHECKS, then `extra`."""
    with _load_lock:
        if course:
            _import_package("exercises.checks")
        paths = [p for p in os.environ.get(CHECKS_ENV, "").split(os.pathsep) if p]
        for path in [*paths, *map(str, extra)]:
            _import_path(Path(path))
    return registry


def load_check(exercise_id: str) -> Registry:
    """Import what checking `exercise_id` needs: the course module named after it, when there is one.

    A notebook checks one exercise at a time, and importing all of the course's check modules costs a
    tenth of a second each time a kernel or a check worker starts. Anything less plain (an id with no
    module of its own name, or extra checks in HOOKLAB_CHECKS, which may stand in for the course's)
    loads them all, as `load_checks` does.
    """
    if exercise_id in registry:
        return registry
    if not os.environ.get(CHECKS_ENV) and exercise_id.isidentifier():
        with _load_lock:
            try:
                found = importlib.util.find_spec(f"exercises.checks.{exercise_id}")
            except ModuleNotFoundError:
                found = None  # no course checks in this build
            if found is not None:
                importlib.import_module(f"exercises.checks.{exercise_id}")
        if exercise_id in registry:
            return registry
    return load_checks()


def _import_package(name: str) -> None:
    if name in _loaded:
        return
    try:
        package = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return  # no exercises in this build yet
        raise
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{name}.{info.name}")
    _loaded.add(name)


def _import_path(path: Path) -> None:
    path = path.resolve()
    if not path.exists():
        raise FileNotFoundError(f"no check module or folder at {path}")
    files = sorted(p for p in path.glob("*.py") if not p.name.startswith("_")) if path.is_dir() else [path]
    for file in files:
        key = str(file)
        if key in _loaded:
            continue
        module_name = f"hooklab_checks_{file.stem}_{zlib.crc32(key.encode()):08x}"
        spec = importlib.util.spec_from_file_location(module_name, file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import check module {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        _loaded.add(key)


def unload_checks(path: str | Path) -> None:
    """Forget the check modules loaded from `path` (a file or folder) and their exercises."""
    path = Path(path).resolve()
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    with _load_lock:
        for file in files:
            _loaded.discard(str(file))
            for entry in registry.all():
                source = entry.source_file
                if source and Path(source).resolve() == file:
                    registry.remove(entry.id)
                    sys.modules.pop(entry.fn.__module__, None)


def as_result(value: Any) -> CheckResult:
    """What a check function returned, as a CheckResult."""
    if isinstance(value, CheckResult):
        return value
    to_result = getattr(value, "result", None)
    if callable(to_result):
        return as_result(to_result())
    raise TypeError(f"a check must return a CheckResult or a Checklist, not {type(value).__name__}")
