"""Build hooklab Lite: JupyterLite with the Pyodide kernel, the lab and the core course, from the registries alone.

    build/lite-tools/bin/python lite/build.py [--out build/lite/site]

(`make lite` makes the tools' environment first.) What it puts together, and from where:

- Pyodide's runtime from npm (`pyodide@<the version jupyterlite-pyodide-kernel pins>`), at the
  lite folder's `static/pyodide`, where the kernel's addon copies it into the site and points the
  kernel at it: no CDN. The npm package holds no wheels, so
- every package the kernel and the course import is a wheel in that same folder, named in a
  trimmed `pyodide-lock.json` (a missing one fails as ModuleNotFoundError, never as a fetch):
  the pure wheels Pyodide's own lock names, downloaded from PyPI at the versions it pins and
  checked against its sha256; the course's other dependencies (`requirements-runtime.txt`);
  the kernel's own wheels (piplite, pyodide-kernel, its ipykernel and widgetsnbextension shims);
  MarkupSafe, built from its source without the C speedups (its `_native.py` is the pure fallback
  it uses whenever `_speedups` is missing); and hooklab itself. All are loaded as the kernel
  starts, and PyPI is never asked at run time (`disablePyPIFallback`).
- The core notebooks and exercises, copied as they are.

Build state lives under build/lite (downloads are kept and reused; the site is rebuilt).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "lite"
WORK = ROOT / "build" / "lite"

#: What the kernel imports as it starts, and what the lab and the core course import.
ROOTS = ["micropip", "ipython", "jedi", "traitlets", "requests", "jinja2", "click", "typing-extensions"]
#: The kernel's own wheels, shipped inside jupyterlite-pyodide-kernel (its `pypi` folder).
KERNEL_WHEELS = ["piplite", "pyodide_kernel", "ipykernel", "widgetsnbextension-4"]
#: Built here from source, as pure Python: Pyodide's lock has only a compiled wheel of it.
PURE_FROM_SOURCE = {"markupsafe"}

#: The core path (issue 25): every lesson notebook, and the core exercises with their checks.
CORE_NOTEBOOKS = [
    "notebooks/00_welcome.ipynb",
    "notebooks/01_triggers_and_actions.ipynb",
    "notebooks/02_polling_vs_webhooks.ipynb",
    "notebooks/03_webhook_security.ipynb",
    "notebooks/04_reliable_webhook_handling.ipynb",
    "notebooks/05_case_study_silent_failure.ipynb",
    "notebooks/06_designing_automations.ipynb",
    "notebooks/glossary.ipynb",
    "exercises/00_first_payment.ipynb",
    "exercises/01_formula.ipynb",
    "exercises/02_poll_or_push.ipynb",
    "exercises/03_trust.ipynb",
    "exercises/04_read_the_log.ipynb",
    "exercises/05_case_study_silent_failure.ipynb",
    "exercises/06_start_simple.ipynb",
]

KERNEL_SETTINGS = "@jupyterlite/pyodide-kernel-extension:kernel"
#: The kernel's environment. The worksheet goes to the drive (/drive is JupyterLite's contents, kept in the
#: browser's storage), not to the home folder, which lives in memory and is gone on reload.
KERNEL_ENV = {"HOME": "/home/pyodide", "HOOKLAB_WORKSHEET": "/drive/hooklab-worksheet.json"}


def run(*args: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=cwd)


def pyodide_version() -> str:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    return str(PYODIDE_VERSION)


def fetch_pyodide(version: str, into: Path) -> Path:
    """The npm package `pyodide@version`, unpacked in `into/package`."""
    tarball = into / f"pyodide-{version}.tgz"
    if not tarball.exists():
        into.mkdir(parents=True, exist_ok=True)
        run("npm", "pack", "--silent", f"pyodide@{version}", cwd=into)
    unpacked = into / "package"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return unpacked


def closure(packages: dict[str, Any], roots: list[str]) -> list[str]:
    """The lock's packages `roots` need, themselves included (the lock names each one's dependencies)."""
    keys = {normalize(key): key for key in packages}
    seen: list[str] = []
    todo = list(roots)
    while todo:
        name = keys[normalize(todo.pop())]
        if name in seen:
            continue
        seen.append(name)
        todo.extend(packages[name]["depends"])
    return sorted(seen)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pip_download(spec: str, into: Path) -> Path:
    """One pure wheel from PyPI (kept between builds)."""
    name = spec.split("==")[0].lower().replace("-", "_")
    found = [p for p in into.glob("*.whl") if p.name.lower().startswith(name + "-" + spec.split("==")[1] + "-")]
    if not found:
        run(
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
            "--platform", "any", "--python-version", "3.14", "--implementation", "py", "--dest", into, spec,
        )  # fmt: skip
        found = [p for p in into.glob("*.whl") if p.name.lower().startswith(name + "-" + spec.split("==")[1] + "-")]
    if len(found) != 1:
        raise SystemExit(f"expected one wheel for {spec} in {into}, found {[p.name for p in found]}")
    return found[0]


def pure_markupsafe(version: str, into: Path) -> Path:
    """MarkupSafe's sdist, built without `_speedups` (its setup.py builds the pure package when told no C)."""
    done = into / f"markupsafe-{version}-py3-none-any.whl"
    if done.exists():
        return done
    source = WORK / "markupsafe-src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    run(
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary=:all:",
        "--dest", source, f"markupsafe=={version}",
    )  # fmt: skip
    [sdist] = source.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(source, filter="data")
    [tree] = [p for p in source.iterdir() if p.is_dir()]
    setup = tree / "setup.py"
    # The one switch its setup.py has: platforms "not supporting speedups" get the pure build.
    text = setup.read_text()
    marker = "supports_speedups = platform.python_implementation() not in {"
    if marker not in text:
        raise SystemExit(f"MarkupSafe {version}'s setup.py changed; look again at how to build it without C")
    setup.write_text(text.replace(marker, "supports_speedups = False and platform.python_implementation() not in {"))
    (tree / "src" / "markupsafe" / "_speedups.c").unlink()
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", into, tree)
    if not done.exists():
        raise SystemExit(f"MarkupSafe did not build as a pure wheel: {[p.name for p in into.glob('markupsafe*')]}")
    return done


def hooklab_wheel(into: Path) -> Path:
    for old in into.glob("hooklab-*.whl"):
        old.unlink()
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", into, ROOT)
    [wheel] = into.glob("hooklab-*.whl")
    return wheel


def wheel_entry(wheel: Path) -> dict[str, Any]:
    """A pyodide-lock entry for a pure wheel: its name, version and top-level imports."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [meta] = [n for n in names if n.endswith(".dist-info/METADATA")]
        info = Parser().parsestr(archive.read(meta).decode())
    imports = sorted(
        {
            n.split("/")[0].removesuffix(".py")
            for n in names
            if "/" in n and not n.split("/")[0].endswith((".dist-info", ".data"))
        }
        | {n.removesuffix(".py") for n in names if "/" not in n and n.endswith(".py")}
    )
    name = info["Name"].lower().replace("_", "-")
    return {
        "name": name,
        "version": info["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": [],
        "unvendored_tests": False,
    }


def kernel_wheels() -> list[Path]:
    import jupyterlite_pyodide_kernel

    share = Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
    if not share.is_dir():  # an editable or user install keeps its labextension beside the package
        share = Path(jupyterlite_pyodide_kernel.__file__).parent / "labextension/static/pypi"
    wheels = []
    for stem in KERNEL_WHEELS:
        name, _, major = stem.partition("-")
        found = sorted(share.glob(f"{name}-{major}*.whl"))
        if not found:
            raise SystemExit(f"the kernel's {stem} wheel is not in {share}")
        wheels.append(found[-1])
    return wheels


def assemble_pyodide(lite_dir: Path) -> list[str]:
    """static/pyodide: the npm runtime, every wheel the site loads, and the lock naming just those."""
    version = pyodide_version()
    runtime = fetch_pyodide(version, WORK / "npm")
    wheels_dir = WORK / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    target = lite_dir / "static" / "pyodide"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(runtime, target, ignore=shutil.ignore_patterns("*.html", "*.d.ts", "*.map", "README.md"))
    lock = json.loads((runtime / "pyodide-lock.json").read_text())
    packages: dict[str, Any] = {}
    for name in closure(lock["packages"], ROOTS):
        entry = dict(lock["packages"][name])
        if name in PURE_FROM_SOURCE:
            wheel = pure_markupsafe(entry["version"], wheels_dir)
            entry.update(file_name=wheel.name, sha256=sha256(wheel))
        elif not entry["file_name"].endswith("-none-any.whl"):
            raise SystemExit(f"{name} is compiled in Pyodide's lock ({entry['file_name']}); no pure wheel to use")
        else:
            wheel = pip_download(f"{entry['name']}=={entry['version']}", wheels_dir)
            # Pyodide rebuilds even pure wheels, so PyPI's file of the same version has another hash.
            entry.update(file_name=wheel.name, sha256=sha256(wheel))
        shutil.copy2(wheel, target / wheel.name)
        packages[name] = entry
    extra = [pip_download(line.strip(), wheels_dir) for line in _requirements(HERE / "requirements-runtime.txt")]
    for wheel in [*extra, *kernel_wheels(), hooklab_wheel(wheels_dir)]:
        entry = wheel_entry(wheel)
        shutil.copy2(wheel, target / wheel.name)
        packages[entry["name"]] = entry
    lock["packages"] = dict(sorted(packages.items()))
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))
    return sorted(packages)


def _requirements(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def write_settings(site: Path, packages: list[str]) -> None:
    """Merge lite/jupyter-lite.json into the site's: the kernel loads every shipped wheel as it starts, never PyPI.

    Done after `jupyter lite build`, which here did not merge a jupyter-lite.json from the lite folder.
    """
    ours = json.loads((HERE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    ours["litePluginSettings"][KERNEL_SETTINGS]["loadPyodideOptions"] = {"packages": packages, "env": KERNEL_ENV}
    path = site / "jupyter-lite.json"
    config = json.loads(path.read_text())
    data = config["jupyter-config-data"]
    for key, value in ours.items():
        if key == "litePluginSettings":
            for plugin, settings in value.items():
                data.setdefault(key, {}).setdefault(plugin, {}).update(settings)
        else:
            data[key] = value
    path.write_text(json.dumps(config, indent=2))


def copy_course(files: Path) -> None:
    shutil.rmtree(files, ignore_errors=True)
    for relative in CORE_NOTEBOOKS:
        (files / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, files / relative)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WORK / "site", help="where the site goes")
    args = parser.parse_args(argv)
    started = time.monotonic()
    lite_dir = WORK / "src"
    lite_dir.mkdir(parents=True, exist_ok=True)
    packages = assemble_pyodide(lite_dir)
    shutil.copy2(HERE / "jupyter_lite_config.json", lite_dir / "jupyter_lite_config.json")
    copy_course(WORK / "files")
    shutil.rmtree(args.out, ignore_errors=True)
    for state in lite_dir.glob(".jupyterlite.doit.db*"):
        state.unlink()  # its tasks' records: with the old site gone, every task must run again
    run(
        Path(sys.executable).parent / "jupyter", "lite", "build",
        "--lite-dir", lite_dir, "--contents", WORK / "files", "--output-dir", args.out.resolve(),
        cwd=lite_dir,  # where it keeps its task records (removed above)
    )  # fmt: skip
    write_settings(args.out, packages)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(
        f"hooklab Lite: {args.out} ({size / 1e6:.0f} MB, {len(packages)} wheels) in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
