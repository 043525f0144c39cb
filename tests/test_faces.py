"""The two front doors: the sandbox (`simulators`) and the course (`simulators.course`).

Each exports a sorted, pinned list of names; notebooks import from these two
only; and the sandbox never imports the course.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import simulators
import simulators.course

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulators"
NOTEBOOK_FOLDERS = ("notebooks", "exercises", "solutions")

SANDBOX_FACE = [
    "Alert",
    "Clock",
    "Lab",
    "RetryPolicy",
    "SignatureError",
    "WebhookRequest",
    "sign_stripe",
    "verify_stripe",
]
COURSE_FACE = [
    "ACTIONS",
    "AlertRule",
    "Automation",
    "CATALOGUE",
    "FIRST_WAIT",
    "FIXES",
    "LONGEST_WAIT",
    "ON_CALL",
    "RUNBOOK_AUTOMATION",
    "RUNBOOK_QUESTIONS",
    "Race",
    "Step",
    "TRIGGERS",
    "WorkQueue",
    "activation_morning",
    "answer_form",
    "backoff_draws",
    "bar_compare",
    "before_after",
    "before_after_story",
    "check",
    "confirm_paid_invoices",
    "connect_receiver",
    "control_panel",
    "cost_vs_delay",
    "course_automations",
    "default_backoff",
    "describe_span",
    "export_worksheet",
    "flow_diagram",
    "reflection",
    "render_catalogue",
    "retain_cancelled_customers",
    "retry_crowd",
    "run_case_study",
    "runbook_page",
    "suspect_deliveries",
    "systems_map",
    "timeline",
    "welcome_new_leads",
]


@pytest.mark.parametrize(("module", "pinned"), [(simulators, SANDBOX_FACE), (simulators.course, COURSE_FACE)])
def test_each_face_exports_exactly_its_pinned_sorted_names(module: object, pinned: list[str]) -> None:
    exported = list(module.__all__)  # type: ignore[attr-defined]
    assert exported == sorted(exported), "keep __all__ sorted"
    assert exported == pinned, "a change to a face is a change to the course's API: update the pin on purpose"
    for name in exported:
        assert getattr(module, name) is not None


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in a module of the package, relative ones resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    else:
        package = package.removesuffix(".__init__")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_the_sandbox_never_imports_the_course() -> None:
    arrows = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "course" not in path.relative_to(PACKAGE).parts
        for line, module in _imports(path)
        if module == "simulators.course" or module.startswith("simulators.course.")
    ]
    assert arrows == []


def test_notebooks_import_only_from_the_two_faces() -> None:
    pattern = re.compile(r"^\s*(?:from|import)\s+(simulators[\w.]*)", re.M)
    strays = []
    for folder in NOTEBOOK_FOLDERS:
        for notebook in sorted((ROOT / folder).glob("*.ipynb")):
            for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
                if cell["cell_type"] != "code":
                    continue
                for module in pattern.findall("".join(cell["source"])):
                    if module not in ("simulators", "simulators.course"):
                        strays.append(f"{notebook.relative_to(ROOT)} cell {index}: {module}")
    assert strays == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_package_has_no_import_circle_not_even_a_type_only_one() -> None:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}

    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph = {
        name: {
            target
            for _, imported in _imports(path)
            if (target := owner(imported)) and target != name and not name.startswith(target + ".")
        }
        for name, path in modules.items()
    }

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(graph.get(here, ()))
        return False

    circles = sorted(f"{a} <-> {b}" for a in graph for b in graph[a] if a < b and reaches(b, a))
    assert circles == []


def test_an_import_inside_a_function_says_why_beside_it() -> None:
    silent = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)):
                        here, above = lines[inner.lineno - 1], lines[inner.lineno - 2]
                        if "#" not in here and not above.strip().startswith("#") and "import" not in above:
                            silent.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert silent == []
