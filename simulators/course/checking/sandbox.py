"""Who a learner's code runs as while it is checked, with what environment and limits, and how it is ended.

The checking side (`worker.py`) starts a learner process (`learner_process.py`) for each exercise:

- as the learner who owns the folder when the grader is root (as `nobody` when root owns it), never as root;
  otherwise as the grader's own user, which is what a learner checking their own work is;
- with an allow-listed environment, so a grader's tokens never reach it;
- in a session of its own, with limits on memory (tied to the 1 G a learner's server gets on a hub), CPU time,
  processes and file size, set before any of its code runs;
- and with everything it started ended afterwards: the checking side is a child subreaper, so a process that
  detaches (setsid, double fork) is re-parented to it, not to init, and the sweep finds it among its descendants.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pwd
import resource
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: docs/zero-to-jupyterhub/config.yaml gives a learner's server `memory.limit: 1G`; checking gets the same.
MEMORY_LIMIT = 1 << 30
#: Tasks (processes and threads) a learner's code may add beyond what its user already runs: a lab's servers
#: take a few dozen threads; a fork bomb meets the limit.
EXTRA_TASKS = 256
#: The largest file the learner's code may write (its printed output goes to one).
FILE_LIMIT = 64 << 20
#: The environment a learner's code keeps; everything else (tokens, keys, the grader's paths) is left out.
ALLOWED_ENV = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOOKLAB_CHECKS", "HOOKLAB_LEARNER")
#: Who runs code found in a folder that root owns.
NOBODY = "nobody"

_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Confinement:
    """The user a learner's code runs as (None: this process's own) and its limits."""

    uid: int | None
    gid: int | None
    user: str
    home: str
    memory: int = MEMORY_LIMIT
    cpu_seconds: int = 120

    @property
    def switches_user(self) -> bool:
        return self.uid is not None


def confinement_for(folder: Path, *, cpu_seconds: int = 120, memory: int = MEMORY_LIMIT) -> Confinement:
    """How code in `folder` is run: as its owner when this process is root (`nobody` if root owns it)."""
    if os.geteuid() != 0:
        me = _account(os.geteuid())
        return Confinement(None, None, me.pw_name if me else str(os.geteuid()), os.environ.get("HOME", "/"))
    owner = folder.stat().st_uid
    account = _account(owner) if owner != 0 else pwd.getpwnam(NOBODY)
    if account is None:  # a uid with no account (a copied folder): run as that uid, in its own group
        return Confinement(owner, folder.stat().st_gid, str(owner), "/", memory, cpu_seconds)
    return Confinement(account.pw_uid, account.pw_gid, account.pw_name, account.pw_dir, memory, cpu_seconds)


def _account(uid: int) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwuid(uid)
    except KeyError:
        return None


def confined_env(confinement: Confinement, base: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed part of `base`, with the user's own name and home."""
    env = {name: base[name] for name in ALLOWED_ENV if name in base}
    env.setdefault("PATH", os.defpath)
    env.update(
        HOME=confinement.home if confinement.switches_user else base.get("HOME", confinement.home),
        USER=confinement.user,
        LOGNAME=confinement.user,
        MPLBACKEND="Agg",
        PYTHONDONTWRITEBYTECODE="1",  # the learner's folder is theirs; leave no caches of ours in it
        MALLOC_ARENA_MAX="2",  # glibc reserves 64 MB of address space per thread's arena otherwise
    )
    return env


def limit_this_process(*, memory: int, cpu_seconds: int, extra_tasks: int = EXTRA_TASKS) -> None:
    """Lower this process's limits, soft and hard, so that nothing it runs can raise them again."""
    tasks = tasks_of(os.getuid()) + extra_tasks
    for limit, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_NPROC, tasks),
        (resource.RLIMIT_FSIZE, FILE_LIMIT),
        (resource.RLIMIT_CORE, 0),
    ):
        _, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            continue  # a system without this limit (macOS refuses RLIMIT_AS): the others still hold


def tasks_of(uid: int) -> int:
    """Processes and threads `uid` runs now (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in _processes():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                count += len(os.listdir(entry / "task"))
        except OSError:
            continue  # it ended while we looked
    return count


def _processes() -> list[Path]:
    """/proc's entries (none where there is no /proc, as on macOS: there only the session is ended)."""
    try:
        return list(Path("/proc").iterdir())
    except OSError:
        return []


def _prctl(option: int, value: int) -> bool:
    libc_name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(libc_name, use_errno=True), "prctl", None) if libc_name else None
    return prctl is not None and bool(prctl(option, value, 0, 0, 0) == 0)  # Linux only


def keep_private() -> None:
    """Make this process non-dumpable: another process of the same user cannot ptrace it nor open its
    /proc/PID/fd (where a learner's code would find the pipe that carries verdicts)."""
    _prctl(_PR_SET_DUMPABLE, 0)


def adopt_orphans() -> bool:
    """Make this process the child subreaper: whatever its descendants detach is re-parented here."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def descendants(root: int | None = None) -> list[int]:
    """Every live process below `root` (default: this one), by walking /proc's parent links."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    for entry in _processes():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])  # the name in (...) may hold spaces
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def end_descendants(deadline: float = 10.0) -> int:
    """SIGKILL every descendant of this process and reap them; returns how many were ended.

    Repeats until none is left, since a process may fork while the sweep runs.
    """
    ended = 0
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        alive = descendants()
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap()
        if not alive:
            return ended
        ended += len(alive)
        time.sleep(0.01)
    return ended


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
