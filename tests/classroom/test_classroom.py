"""A class on a real JupyterHub, driven in Chromium through the hub's own URLs.

Three learners log in, open the welcome notebook and run it, run the case
study at the same time, open their dashboards through
`/user/NAME/proxy/PORT/`, and pass or fail their exercise checks; the
instructor grades the class in one command; stopping a learner's server
leaves no lab process and no port behind.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from tests.chromium import screenshot
from tests.classroom.conftest import LEARNERS
from tests.classroom.hub import PASSWORD, ROOT, VENV_BIN, Hub, listening_ports_of, processes_of
from tests.jupyterlab_page import VISIBLE, start_run_all, tracebacks, wait_for_idle_kernel, wait_run_all

RUN_ALL_TIMEOUT_MS = 300_000
WELCOME = "notebooks/00_welcome.ipynb"
CASE_STUDY = "notebooks/05_case_study_silent_failure.ipynb"
EXERCISE = "exercises/00_first_payment.ipynb"

pages: dict[str, Any] = {}


def _page_for(browser: Any, hub: Hub, user: str) -> Any:
    """`user`'s own browser (cookies of their own), logged in, their server started."""
    if user in pages:
        return pages[user]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    try:
        page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=180_000)
    except Exception:
        screenshot(page, f"classroom-{user}-login-failed")  # what the page showed when the test gave up
        raise AssertionError(f"{user} never reached their lab: {hub.log_path.read_text()[-3000:]}") from None
    pages[user] = page
    return page


def _open(page: Any, hub: Hub, user: str, path: str) -> None:
    workspace = re.sub(r"\W", "-", Path(path).stem)
    page.goto(f"{hub.url}/user/{user}/lab/workspaces/{workspace}/tree/{path}?reset")
    page.locator(".jp-NotebookPanel").first.wait_for(timeout=120_000)
    wait_for_idle_kernel(page, timeout=120)


def _wait_run_all(page: Any, name: str) -> None:
    try:
        wait_run_all(page, RUN_ALL_TIMEOUT_MS)
    finally:
        screenshot(page, name)
    errors = tracebacks(page)
    assert errors.count() == 0, errors.first.inner_text()


def test_each_learner_logs_in_and_runs_the_welcome_notebook(hub: Hub, browser: Any) -> None:
    for user in LEARNERS:
        page = _page_for(browser, hub, user)
        _open(page, hub, user, WELCOME)
        start_run_all(page)
        _wait_run_all(page, f"classroom-{user}-welcome")
        assert page.get_by_text("NOT YET").count() >= 1 or page.get_by_text("PASS").count() >= 1


def test_three_learners_run_the_case_study_at_the_same_time(hub: Hub, browser: Any) -> None:
    for user in LEARNERS:
        _open(_page_for(browser, hub, user), hub, user, CASE_STUDY)
    started = time.monotonic()
    for user in LEARNERS:  # every kernel works at once; the browser only waits
        start_run_all(pages[user])
    for user in LEARNERS:
        _wait_run_all(pages[user], f"classroom-{user}-case-study")
    took = time.monotonic() - started
    # Seeded and on its virtual clock, the story is the same for everyone, whatever else the node runs:
    # save each learner's run and read it back from their own home.
    stories = set()
    for user in LEARNERS:
        pages[user].keyboard.press("Control+s")
        saved = Path(pwd.getpwnam(user).pw_dir) / "hooklab" / CASE_STUDY
        deadline = time.monotonic() + 30
        while True:
            try:
                cells = json.loads(saved.read_text())["cells"]
            except ValueError:
                cells = []  # JupyterLab is still writing the file: look again
            text = "".join("".join(output.get("text", "")) for cell in cells for output in cell.get("outputs", []))
            found = re.search(r"(\d+) customers paid", text)
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert found, f"{user}'s saved case study has no story in it (run took {took:.0f} s)"
        stories.add(text)
    assert len(stories) == 1, "the three learners' case studies differ"


def _key_of(user: str) -> str:
    """The key of `user`'s hooklab tile (read as root: the file is theirs alone)."""
    return (Path(pwd.getpwnam(user).pw_dir) / ".hooklab" / "lab.key").read_text().strip()


def test_dashboards_open_through_each_learners_own_proxy_and_nobody_elses(hub: Hub, browser: Any) -> None:
    ada, bo = LEARNERS[0], LEARNERS[1]
    page = _page_for(browser, hub, ada)
    key = _key_of(ada)
    # Without the key the tile's path answers nothing; the launcher's tile carries it.
    bare = page.request.get(f"{hub.url}/user/{ada}/hooklab/", fail_on_status_code=False, timeout=120_000)
    assert bare.status == 404 and "Your lab" not in bare.text()
    page.goto(f"{hub.url}/user/{ada}/hooklab/hl_{key}/", timeout=120_000)
    page.get_by_role("heading", name="Your lab").wait_for(timeout=120_000)
    link = page.locator("section", has_text="Systems").get_by_role("link", name="provisioning", exact=True)
    href = link.get_attribute("href") or ""
    assert re.fullmatch(rf"/user/{ada}/proxy/\d+/hl_{key}/", href), href
    link.click()
    page.get_by_role("heading", name=re.compile("^Provisioning")).wait_for()
    screenshot(page, "classroom-dashboard-through-the-hub")
    # Bo's browser, logged in as Bo, asks for Ada's dashboard: the hub refuses it.
    other = _page_for(browser, hub, bo)
    answer = other.request.get(f"{hub.url}{href}", max_redirects=0, fail_on_status_code=False)
    assert answer.status in (302, 403), answer.status
    anonymous = requests.get(f"{hub.url}{href}", allow_redirects=False, timeout=30)
    assert anonymous.status_code in (302, 403)


#: Run as Bo, with Ada's ports and files in hand: every attempt and what it got.
_AS_ANOTHER_LEARNER = r"""
import json, os, sys
import requests

ports, paths, own_key = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
tried = {}
for name, port in ports.items():
    for prefix in ("", "/hl_" + own_key):
        for method, path, body in (("GET", "/", None), ("GET", "/accounts", None), ("GET", "/admin/status", None),
                                   ("POST", "/admin/systems/provisioning/faults", {"kind": "down"})):
            try:
                answer = requests.request(method, f"http://127.0.0.1:{port}{prefix}{path}", json=body, timeout=10,
                                          headers={"Accept": "text/html"}, allow_redirects=False)
                tried[f"{method} {name}{prefix and ' (own key)'}{path}"] = [answer.status_code, answer.text[:300]]
            except requests.RequestException as exc:
                tried[f"{method} {name}{prefix and ' (own key)'}{path}"] = [0, type(exc).__name__]
for label, path in paths.items():
    try:
        os.listdir(path) if os.path.isdir(path) else open(path).read()
        tried[label] = [200, "read"]
    except PermissionError:
        tried[label] = [403, "PermissionError"]
seen = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        seen.append(open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace"))
    except OSError:
        pass  # ended since the listing
tried["every command line Bo can see"] = " ".join(seen)
print(json.dumps(tried))
"""


def _as(user: str, *command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `command` as `user` alone (their uid, their group, no other group), in their home."""
    home = pwd.getpwnam(user).pw_dir
    return subprocess.run(
        list(command),
        user=user,
        group=user,
        extra_groups=[],
        env={"HOME": home, "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)},  # this checkout's course
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_learner_with_anothers_ports_and_paths_reaches_nothing(hub: Hub) -> None:
    ada, bo = LEARNERS[0], LEARNERS[1]
    ada_home = Path(pwd.getpwnam(ada).pw_dir)
    key = _key_of(ada)
    # Ada answers a reflection question in her own kernel's environment, as the worksheet widget does.
    saved = _as(
        ada,
        str(VENV_BIN / "python"),
        "-c",
        "from simulators.course.worksheets.answers import save_answer as s;"
        "print(s('q_isolation', 'only mine', notebook='00_welcome.ipynb'))",
    )
    assert saved.returncode == 0, saved.stderr
    worksheet = Path(saved.stdout.strip())
    serve = json.loads(next(ada_home.rglob("serve.json")).read_text())  # Ada's tile's lab, read as root
    ports = {
        name: int(info["url"].split(":")[2].split("/")[0])
        for name, info in serve.items()
        if isinstance(info, dict) and "url" in info
    }
    state = Path(serve["state_dir"])
    for path, mode in ((worksheet, 0o600), (worksheet.parent, 0o700), (state, 0o700), (state / "lab.key", 0o600)):
        assert stat.S_IMODE(path.stat().st_mode) == mode, f"{path} is {oct(path.stat().st_mode)}"
        assert path.stat().st_uid == pwd.getpwnam(ada).pw_uid
    paths = {
        "read Ada's worksheet": str(worksheet),
        "read Ada's lab key": str(ada_home / ".hooklab" / "lab.key"),
        "list Ada's lab state folder": str(state),
        "read Ada's exercise": str(ada_home / "hooklab" / EXERCISE),
    }
    bo_home = Path(pwd.getpwnam(bo).pw_dir)
    done = _as(
        bo, str(VENV_BIN / "python"), "-c", _AS_ANOTHER_LEARNER, json.dumps(ports), json.dumps(paths), _key_of(bo)
    )
    assert done.returncode == 0, done.stderr
    tried = json.loads(done.stdout)
    command_lines = tried.pop("every command line Bo can see")
    assert command_lines and key not in command_lines, "the tile's key reaches `hooklab serve` by its environment"
    print(json.dumps({what: answer[0] for what, answer in tried.items()}, indent=1))  # the report's table
    assert len(tried) == len(ports) * 8 + len(paths) >= 40
    for what, (status, text) in tried.items():
        assert status in (403, 404), f"Bo could {what}: {status} {text}"
        assert "Your lab" not in text and "cus_" not in text and key not in text, what
    assert requests.get(serve["provisioning"]["url"] + "/accounts", timeout=10).ok, "Ada's own key still works"
    assert not requests.get(
        serve["control"]["url"] + "/admin/status",
        timeout=10,
        headers={"Authorization": f"Bearer {serve['control']['admin_token']}"},
    ).json()["systems"]["provisioning"]["down"], "Bo's fault never reached Ada's provisioning"
    # Bo grades Ada's copy as if he were the instructor: her work stays unread.
    graded = _as(
        bo,
        str(VENV_BIN / "hooklab"),
        "grade",
        str(ada_home / "hooklab"),
        "--exercise",
        "ex00_first_payment",
        "--out",
        str(bo_home / "grades.csv"),
        timeout=600,
    )
    rows = list(csv.DictReader((bo_home / "grades.csv").open())) if (bo_home / "grades.csv").exists() else []
    verdicts = {row["status"] for row in rows}
    assert graded.returncode != 0 or verdicts <= {"missing", "error"}, (graded.returncode, rows)
    assert "Permission denied" in graded.stderr + graded.stdout or verdicts <= {"missing", "error"}


def _hand_in_the_solution(user: str) -> None:
    entry = pwd.getpwnam(user)
    target = Path(entry.pw_dir) / "hooklab" / EXERCISE
    shutil.copy(ROOT / "solutions" / Path(EXERCISE).name, target)
    os.chown(target, entry.pw_uid, entry.pw_gid)


def test_learners_pass_or_fail_their_own_checks_and_the_instructor_grades_them_in_one_command(
    hub: Hub, browser: Any, tmp_path: Path
) -> None:
    ada, bo, cy = LEARNERS
    _hand_in_the_solution(bo)
    for user, verdict in ((ada, "NOT YET"), (bo, "PASS")):
        page = _page_for(browser, hub, user)
        _open(page, hub, user, EXERCISE)
        start_run_all(page)
        _wait_run_all(page, f"classroom-{user}-exercise-00")
        panel = page.locator(VISIBLE)
        assert panel.locator(".hooklab-check", has_text=verdict).count() >= 1, verdict
    report = tmp_path / "grades.csv"
    homes = [str(Path(pwd.getpwnam(user).pw_dir) / "hooklab") for user in LEARNERS]
    done = subprocess.run(
        [str(VENV_BIN / "hooklab"), "grade", *homes, "--exercise", "ex00_first_payment", "--out", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with report.open() as handle:
        rows = {row["learner"]: row["status"] for row in csv.DictReader(handle)}
    # Every copy is called `hooklab`: each row is named after its learner's home, graded on their own work.
    assert rows == {ada: "fail", bo: "pass", cy: "fail"}, rows


def test_stopping_a_learners_server_leaves_no_lab_process_and_no_port(hub: Hub) -> None:
    for user in LEARNERS:
        uid = pwd.getpwnam(user).pw_uid
        assert listening_ports_of(uid), f"{user} should have servers listening before the stop"
        hub.stop_server(user)
        deadline = time.monotonic() + 20
        while (processes_of(user) or listening_ports_of(uid)) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert processes_of(user) == [], json.dumps(processes_of(user))
        assert listening_ports_of(uid) == set()
