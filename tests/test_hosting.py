"""Where the course is hosted: Binder's files, the Zero to JupyterHub config, and the links that name the repository.

Docker and Kubernetes are not on these machines, so what can be checked here
is: the files parse and hold the settings docs/instructors.md explains, the
image's requirements install into a fresh environment (the course itself,
built from this checkout, with the jupyter-server-proxy entry point, and
every dependency it declares satisfied together), `postBuild` runs, and
every link to the published course agrees with the one setting it comes from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

from tools.published_links import Published, problems, published, rewrite

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
Z2JH = ROOT / "docs" / "zero-to-jupyterhub" / "config.yaml"


def _config() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(Z2JH.read_text())


def test_the_zero_to_jupyterhub_config_sets_what_the_guide_explains() -> None:
    singleuser = _config()["singleuser"]
    assert singleuser["image"]["name"] == published().image
    assert singleuser["image"]["tag"] not in ("latest", ""), "a pinned tag: a moving image changes outputs mid-course"
    memory, cpu = singleuser["memory"], singleuser["cpu"]
    assert memory["guarantee"].endswith("M") and memory["limit"].endswith(("M", "G"))
    in_mb = {key: int(value[:-1]) * (1024 if value.endswith("G") else 1) for key, value in memory.items()}
    assert 0 < in_mb["guarantee"] <= in_mb["limit"]
    assert 0 < cpu["guarantee"] <= cpu["limit"]
    assert singleuser["defaultUrl"].startswith("/lab")
    pull = singleuser["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert pull[0] == "gitpuller" and pull[1] == published().repository, "the course reaches each home by nbgitpuller"
    culler = _config()["cull"]
    assert culler["enabled"] is True and 0 < culler["every"] < culler["timeout"]


def test_the_zero_to_jupyterhub_image_installs_the_course_with_nbgitpuller() -> None:
    dockerfile = (Z2JH.parent / "Dockerfile").read_text()
    assert [line for line in dockerfile.splitlines() if line.startswith("FROM ")] == [
        "FROM quay.io/jupyter/base-notebook:python-3.11"
    ], "a Docker Stacks image: it carries jupyterhub-singleuser"
    assert published().pip in dockerfile and "nbgitpuller" in dockerfile


def test_binder_uses_the_laptops_python_and_installs_the_course() -> None:
    assert (BINDER / "runtime.txt").read_text() == (ROOT / "runtime.txt").read_text()
    lines = [line.strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    wanted = [line for line in lines if line and not line.startswith("#")]
    assert wanted[0] == ".", "repo2docker installs the course from the checkout it builds"
    for line in wanted[1:]:
        Requirement(line)  # each other line is a requirement pip can read
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "build-system" in project, "pip builds the course from pyproject.toml only with a build system"
    dependencies = {Requirement(line).name for line in project["project"]["dependencies"]}
    assert {"jupyterlab", "ipywidgets", "jupyter-server-proxy"} <= dependencies


def _built_wheel(tmp_path: Path) -> Path:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return next(tmp_path.glob("hooklab-*.whl"))


def test_the_images_requirements_install_into_a_fresh_environment(tmp_path: Path) -> None:
    # The course is built from this checkout (pip fetches only setuptools to build it) and installed into a
    # new venv; its dependencies are checked against the ones this environment resolved from the same index,
    # since resolving all 120 afresh takes minutes of downloads.
    wheel = _built_wheel(tmp_path / "wheel")
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    found = subprocess.run(
        [
            str(python),
            "-c",
            "from importlib.metadata import distribution as d; m = d('hooklab');"
            "print(*[e.name + '=' + e.value for e in m.entry_points if e.group == 'jupyter_serverproxy_servers']);"
            "print(*m.requires, sep='\\n')",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    entry, *requires = found.stdout.splitlines()
    assert entry == "hooklab=simulators.proxy:setup_hooklab", "the dashboards' way into the browser"
    runtime = [Requirement(line) for line in requires if "extra ==" not in line]
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert sorted(r.name for r in runtime) == sorted(Requirement(line).name for line in declared)
    for requirement in runtime:
        try:
            have = version(requirement.name)
        except PackageNotFoundError:
            pytest.fail(f"{requirement} is not installed here: the image would resolve it alone")
        assert requirement.specifier.contains(have, prereleases=True), f"{requirement} is not met by {have}"
    with zipfile.ZipFile(wheel) as built:
        assert "simulators/dashboards/hooklab.svg" in built.namelist(), "the launcher tile's icon ships"
        # Every kernel of the environment loads the course's NameError guidance (hooklab_kernel.py).
        assert "hooklab_kernel.py" in built.namelist()
        [config] = [
            name for name in built.namelist() if name.endswith(".data/data/etc/ipython/ipython_kernel_config.json")
        ]
        assert json.loads(built.read(config)) == {"InteractiveShellApp": {"extensions": ["hooklab_kernel"]}}


def test_post_build_runs_in_a_copy_of_the_repository(tmp_path: Path) -> None:
    script = (BINDER / "postBuild").read_text()
    assert script.startswith("#!/bin/bash\n") and "set -euo pipefail" in script
    assert os.access(BINDER / "postBuild", os.X_OK), "repo2docker runs postBuild only if it is executable"
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "node_modules"))
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(copy),  # as in the image, the course comes from the copy being built
        "HOME": str(tmp_path / "home"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }
    done = subprocess.run(
        [str(copy / "binder" / "postBuild")], cwd=copy, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert list((tmp_path / "mpl").glob("fontlist*.json")), "matplotlib's font cache is built into the image"


# -- links to the published course ----------------------------------------------------


def test_every_course_link_agrees_with_the_repository_setting() -> None:
    course = published()
    assert not course.owner.upper().startswith("YOUR")
    assert problems() == []
    readme = (ROOT / "README.md").read_text()
    assert f"[![Binder](https://mybinder.org/badge_logo.svg)]({course.binder})" in readme
    guide = (ROOT / "docs" / "instructors.md").read_text()
    assert course.nbgitpuller() in guide and course.pip in guide and course.binder in guide


def test_the_git_remote_if_any_is_the_repository_the_links_name() -> None:
    remote = subprocess.run(
        ["git", "-C", str(ROOT), "remote", "get-url", "origin"], capture_output=True, text=True, timeout=30
    )
    url = remote.stdout.strip().removesuffix(".git")
    if remote.returncode != 0 or "github.com" not in url:
        return  # a clone with no GitHub remote (CI's, a tarball's): the setting alone decides
    url = url.replace("git@github.com:", "https://github.com/")
    assert url.lower() == published().repository.lower(), (
        f"this clone comes from {url}, but pyproject.toml's Repository says {published().repository}:"
        " change the setting and run tools/published_links.py --write"
    )


def _a_course(tmp_path: Path, readme: str, repository: str = "https://github.com/acme/hooklab") -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "hooklab"\n[project.urls]\nRepository = "{repository}"\n'
    )
    (tmp_path / "README.md").write_text(readme)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("[![Binder](x)](https://mybinder.org/v2/gh/YOUR-ORG/hooklab/HEAD?urlpath=lab)", "a placeholder (YOUR-ORG)"),
        ("[![Binder](x)](https://mybinder.org/v2/gh/someone-else/hooklab/HEAD?urlpath=lab)", "binder link"),
        ("pip install git+https://github.com/someone-else/hooklab@main", "pip link"),
        ("image: ghcr.io/someone-else/hooklab-class", "image link"),
        (
            "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fx%2Fhooklab",
            "nbgitpuller",
        ),
        ("clone https://github.com/someone-else/hooklab", "repository link"),
    ],
)
def test_a_placeholder_or_a_link_to_another_repository_is_caught_and_rewritten(
    tmp_path: Path, line: str, complaint: str
) -> None:
    root = _a_course(tmp_path, f"# hooklab\n\n{line}\n")
    found = problems(root)
    assert found and complaint in found[0] and found[0].startswith("README.md:3")
    rewrite(root)
    assert problems(root) == []
    assert "acme" in (root / "README.md").read_text()


def test_a_placeholder_setting_is_refused(tmp_path: Path) -> None:
    root = _a_course(tmp_path, "# hooklab\n", repository="https://github.com/YOUR-ORG/hooklab")
    with pytest.raises(ValueError, match="must be the course's GitHub repository"):
        problems(root)


def test_the_links_are_made_from_owner_and_name() -> None:
    course = Published("Acme-School", "webhooks-course")
    assert course.binder == (
        "https://mybinder.org/v2/gh/Acme-School/webhooks-course/HEAD?urlpath=lab%2Ftree%2Fnotebooks%2F00_welcome.ipynb"
    )
    assert course.pip == "git+https://github.com/Acme-School/webhooks-course@main"
    assert course.image == "ghcr.io/acme-school/hooklab-class"
    assert course.nbgitpuller("https://hub.acme.edu/") == (
        "https://hub.acme.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FAcme-School%2Fwebhooks-course"
        "&branch=main&urlpath=lab%2Ftree%2Fwebhooks-course%2Fnotebooks%2F00_welcome.ipynb"
    )
