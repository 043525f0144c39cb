"""`hooklab grade` over hostile learners' folders: no forged pass, no leaked secret, no process left behind.

Each learner hands in the course's `03_trust` notebook (an exercise whose answers are values, so its check runs
where no learner code does) with one more cell of their own, or the sample handler exercise (whose check runs
beside the learner's code) for the limits. Switching users needs root: those parts skip with the reason when the
tests run as anyone else (CI runs them as root).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.course.checking import Exercise, load_checks, registry, unload_checks
from simulators.course.checking.answers import DATA_EXERCISES
from simulators.course.checking.batch import Row, grade, write_gradescope, write_report
from simulators.course.checking.sandbox import confined_env, confinement_for

ROOT = Path(__file__).resolve().parents[1]
TRUST = "03_trust"
SAMPLE = ROOT / "tests" / "fixtures" / "course"
AS_ROOT = os.geteuid() == 0
#: A uid with no account: a learner's folder copied from elsewhere; grading as root runs its code as that uid.
STRANGER = 4242

PASSING = json.dumps(
    {"exercise": "ex03_trust", "ok": True, "title": "t", "message": "all 7 checks pass", "steps": [], "details": {}}
)

HOSTILE = {
    # Forge a verdict: through every path in argv, every open fd, and stdout; then leave before anything else.
    "forger": f"""
import os, sys
for arg in sys.argv:
    if os.path.isfile(arg) and not arg.endswith(".ipynb"):
        open(arg, "a").write({PASSING!r} + "\\n")
for fd in range(64):
    try:
        os.write(fd, ({PASSING!r} + "\\n").encode())
    except OSError:
        pass
print({PASSING!r})
os._exit(0)
""",
    # Replace the check: in the registry (frozen, so through object.__setattr__) and in its module.
    "patcher": """
from simulators.course.checking import CheckResult
from simulators.course.checking.registry import load_check, registry
import exercises.checks.ex03_trust as module
load_check("ex03_trust")
passing = lambda ns: CheckResult(True, "t", "all 7 checks pass")
object.__setattr__(registry.get("ex03_trust"), "fn", passing)
module.check = passing
""",
    # Read the grader's environment and a file only the grader may read, into the verdict's message.
    "snoop": """
import os
token = os.environ.get("INSTRUCTOR_API_TOKEN", "no-token")
try:
    secret = open(SECRET_FILE).read()
except OSError as exc:
    secret = type(exc).__name__
raise ValueError(f"leak {token} {secret}")
""",
    "memhog": "held = bytearray(2 * 1024**3)\n",
    "forker": """
import os, time
if os.fork() == 0:
    time.sleep(600)
""",
    "detacher": """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", MARKER], start_new_session=True)
""",
    "sleeper": "import time\ntime.sleep(10**6)\n",
    "exiter": "import os\nos._exit(7)\n",
    # An answer object whose == says yes to everything: it never crosses into the check.
    "liar": """
class Yes(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
DECISIONS = {label: Yes("act on it") for label in "ABCDE"}
WHY_TOO_OLD = Yes("replay")
""",
}


@pytest.fixture(scope="module")
def course_checks() -> Iterator[None]:
    load_checks()
    yield


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "instructor-only.txt"
    path.write_text("s3cret-grade-key")
    path.chmod(0o600)
    return path


def learner(tmp_path: Path, name: str, cell: str, *, notebook: str = TRUST, source: Path = ROOT) -> Path:
    """A learner's copy holding the course's stub of `notebook` plus one cell of theirs for its exercise."""
    copy = tmp_path / name / "exercises"
    copy.mkdir(parents=True)
    document = json.loads((source / "exercises" / f"{notebook}.ipynb").read_text())
    if cell:
        document["cells"].append(
            {
                "cell_type": "code",
                "metadata": {"tags": ["exercise"]},
                "source": cell,
                "outputs": [],
                "execution_count": None,
            }
        )
    (copy / f"{notebook}.ipynb").write_text(json.dumps(document))
    for path in [copy.parent, *copy.parent.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    return copy.parent


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


def graded(tmp_path: Path, names: list[str], secret: Path, *, timeout: float = 20) -> dict[str, Row]:
    folders = []
    for name in names:
        cell = HOSTILE[name].replace("SECRET_FILE", repr(str(secret))).replace("MARKER", repr(str(tmp_path)))
        folders.append(learner(tmp_path, name, cell))
    rows = grade(folders, [registry.get("ex03_trust")], timeout=timeout, jobs=2)
    return {row.learner: row for row in rows}


def test_hostile_learners_never_pass_and_leave_nothing_running(
    tmp_path: Path, secret_file: Path, course_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSTRUCTOR_API_TOKEN", "tok-9f8e7d")
    names = ["forger", "patcher", "snoop", "memhog", "forker", "detacher", "exiter", "liar"]
    rows = graded(tmp_path, names, secret_file)
    assert {name: row.status for name, row in rows.items()} == {
        "forger": "error",  # its forged line is not the answers the worker asked for
        "patcher": "fail",  # the check it replaced was its own copy; the worker's ran on its (stub) answers
        "snoop": "error",
        "memhog": "error",
        "forker": "fail",
        "detacher": "fail",
        "exiter": "error",
        "liar": "fail",  # its objects were refused as answers: only plain data crosses
    }
    assert all(row.score == 0 for row in rows.values())
    assert "MemoryError" in rows["memhog"].message
    assert "exit code 7" in rows["exiter"].message
    assert "not plain data" in rows["liar"].message
    # The grader's environment never reaches the learner's code, nor the reports the learner sees.
    assert "leak no-token" in rows["snoop"].message
    write_report(list(rows.values()), tmp_path / "out" / "grades.csv")
    write_report(list(rows.values()), tmp_path / "out" / "grades.json")
    write_gradescope(list(rows.values()), tmp_path / "out" / "gradescope")
    reports = "".join(path.read_text() for path in (tmp_path / "out").rglob("*") if path.is_file())
    assert "tok-9f8e7d" not in reports
    if AS_ROOT:  # the learner's code ran as nobody, who may not read root's 0600 file
        assert "leak no-token PermissionError" in rows["snoop"].message and "s3cret" not in reports
    assert processes_mentioning(str(tmp_path)) == []


def test_a_cell_that_sleeps_forever_times_out_and_is_ended(
    tmp_path: Path, secret_file: Path, course_checks: None
) -> None:
    rows = graded(tmp_path, ["sleeper"], secret_file, timeout=2)
    assert rows["sleeper"].status == "timeout" and rows["sleeper"].score == 0
    assert processes_mentioning(str(tmp_path)) == []


def test_an_untouched_exercise_scores_0_even_where_its_stub_meets_some_steps(
    tmp_path: Path, course_checks: None
) -> None:
    folders = [learner(tmp_path, "untouched", "", notebook="06_designing_automations")]
    [row] = grade(folders, [registry.get("ex06_design")], jobs=1)
    assert row.status == "fail" and row.score == 0 and row.result.details["untouched"] is True


def test_the_learners_environment_is_allow_listed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSTRUCTOR_API_TOKEN", "tok")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "key")
    env = confined_env(confinement_for(tmp_path), os.environ)
    assert "INSTRUCTOR_API_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert set(env) <= {
        *("PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOOKLAB_CHECKS", "HOOKLAB_LEARNER"),
        *("HOME", "USER", "LOGNAME", "MPLBACKEND", "PYTHONDONTWRITEBYTECODE", "MALLOC_ARENA_MAX"),
    }


@pytest.mark.skipif(not AS_ROOT, reason="switching to the folder's owner needs root (CI runs the tests as root)")
def test_as_root_the_learners_code_runs_as_the_folders_owner(tmp_path: Path, course_checks: None) -> None:
    folder = learner(tmp_path, "stranger", "raise ValueError(f\"uid={__import__('os').getuid()}\")\n")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, STRANGER, STRANGER)
    [row] = grade([folder], [registry.get("ex03_trust")], jobs=1)
    assert f"uid={STRANGER}" in row.message
    rooted = learner(tmp_path, "rooted", "raise ValueError(f\"uid={__import__('os').getuid()}\")\n")
    [row] = grade([rooted], [registry.get("ex03_trust")], jobs=1)
    assert "uid=65534" in row.message  # root's own folder: nobody, never root


@pytest.fixture
def sample() -> Iterator[Exercise]:
    load_checks([SAMPLE / "checks"])
    yield registry.get("ex90_first_handler")
    unload_checks(SAMPLE / "checks")


def test_a_check_beside_the_learners_code_still_has_the_limits(tmp_path: Path, sample: Exercise) -> None:
    """The sample's check calls the learner's handler, so it runs in the learner's process: limited all the same."""
    cells = {name: HOSTILE[name] for name in ("memhog", "forker", "detacher")}
    folders = [
        learner(tmp_path, name, cell.replace("MARKER", repr(str(tmp_path))), notebook="90_first_handler", source=SAMPLE)
        for name, cell in cells.items()
    ]
    solved = tmp_path / "solved" / "exercises"
    solved.mkdir(parents=True)
    shutil.copy(SAMPLE / "solutions" / "90_first_handler.ipynb", solved)
    folders.append(solved.parent)
    rows = {row.learner: row for row in grade(folders, [sample], jobs=2, checks=[SAMPLE / "checks"])}
    assert rows.pop("solved").result.details["checked_beside_learner_code"] is True  # as the guide says
    assert not any(row.ok for row in rows.values())
    assert "MemoryError" in rows["memhog"].message
    assert processes_mentioning(str(tmp_path)) == []


def test_the_guide_names_which_exercises_can_be_forged(course_checks: None) -> None:
    """docs/instructors.md lists the exercises checked apart from the learner's code, and the others."""
    guide = (ROOT / "docs" / "instructors.md").read_text()
    protected = guide[guide.index("**Answers that are values cannot be forged.**") :]
    protected, exposed = protected.split("What it does **not** protect against:")
    exposed = exposed[: exposed.index("**Grading as yourself")]
    named = {e.id for e in registry.all() if f"`{e.id}`" in protected}
    assert named == set(DATA_EXERCISES)
    assert {e.id for e in registry.all() if f"`{e.id}`" in exposed} == {e.id for e in registry.all()} - named


def test_modules_in_the_learners_folder_never_run_in_the_grader(tmp_path: Path, course_checks: None) -> None:
    folder = learner(tmp_path, "shadower", "", notebook="06_designing_automations")
    marker = tmp_path / "shadowed"
    for name in ("argparse", "json"):  # both imported by the worker before any learner code runs
        (folder / "exercises" / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'w').write('{name}')\nraise SystemExit(7)\n"
        )
    [row] = grade([folder], [registry.get("ex06_design")], jobs=1)
    assert not marker.exists(), "a module from the learner's folder ran in the worker"
    # The learner's own process may trip on them (its folder is its own): an error, never a pass.
    assert row.status in ("fail", "error") and row.score == 0, row
