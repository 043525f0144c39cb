"""Accessibility measured with axe-core in headless Chromium: the lessons in JupyterLab, the dashboards, checkout.

axe-core comes from npm (`make test` installs it into .venv/axe; AXE_CORE_JS names another copy). On every
page no serious or critical violation may come from the course's own content. In JupyterLab that is what the
course renders: its Markdown and its cells' outputs (pictures, printed text, widgets). What JupyterLab's own
interface causes is counted and written down, not failed: the course cannot fix it. The dashboards and the
checkout page are the course's own pages from top to bottom.

Every page's figures go to test-artifacts/accessibility.json, for people to read after the run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from simulators import Lab
from tests.chromium import unavailable
from tests.jupyterlab_page import VISIBLE, start_run_all, wait_for_idle_kernel, wait_run_all
from tests.lab_like_make import ROOT, MakeLab

AXE = Path(os.environ.get("AXE_CORE_JS") or ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js")
REPORT = ROOT / "test-artifacts" / "accessibility.json"
SEVERE = ("serious", "critical")
#: What the course renders inside JupyterLab: its Markdown cells and the outputs of its code cells.
COURSE_IN_JUPYTERLAB = ".jp-MarkdownCell .jp-RenderedMarkdown, .jp-OutputArea-output"
#: What JupyterLab causes even in the course's outputs: it draws an image output as an <img> with no alt and
#: no way to give one (the course's text says what each picture shows).
DRAWN_BY_JUPYTERLAB = ["image-alt"]
#: The upstream issue of each violation JupyterLab causes, written beside its figures.
UPSTREAM = {
    "image-alt": "https://github.com/jupyter/enhancement-proposals/issues/120",
    "aria-allowed-attr": "https://github.com/jupyterlab/jupyterlab/issues/16891",
    "aria-input-field-name": "https://github.com/jupyterlab/jupyterlab/issues/10347",
    "aria-required-children": "https://github.com/jupyterlab/jupyterlab/issues/14804",
    "button-name": "https://github.com/jupyterlab/jupyterlab/issues/16890",
}
#: The lessons a core learner reads, run top to bottom (03 and 04 are read for their core box and not run).
RUN = ["00_welcome", "01_triggers_and_actions", "02_polling_vs_webhooks", "05_case_study_silent_failure"]
RUN += ["06_designing_automations"]
READ = ["03_webhook_security", "04_reliable_webhook_handling", "glossary"]
RUN_ALL_TIMEOUT_MS = 240_000

#: axe.run over the whole page; each violating node says whether it lies in what the course renders.
AUDIT = """async ([course, drawn]) => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => {
            const element = n.target.length === 1 ? document.querySelector(n.target[0]) : null;
            const rendered = !!(element && element.closest(course));
            const drawnByJupyterLab = drawn.includes(v.id) && !!(element && element.closest('.jp-RenderedImage'));
            return {target: n.target.join(' '), html: n.html.slice(0, 300),
                    course: course === '*' || (rendered && !drawnByJupyterLab)};
        }),
    }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE} (make test installs it with npm)")
    return AXE.read_text()


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, Any]]:
    pages: dict[str, Any] = {}
    yield pages
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    REPORT.write_text(json.dumps({**earlier, **pages}, indent=1, sort_keys=True))


def audit(page: Any, axe_source: str, report: dict[str, Any], name: str, course: str = "*") -> list[dict[str, Any]]:
    """Run axe-core on the page; record the figures under `name`; return the course's severe violations."""
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(AUDIT, [course, DRAWN_BY_JUPYTERLAB])
    figures: dict[str, Any] = {"course": {}, "jupyterlab": {}, "violations": []}
    severe = []
    for violation in violations:
        for side in ("course", "jupyterlab"):
            nodes = [n for n in violation["nodes"] if n["course"] == (side == "course")]
            if nodes:
                count = figures[side].setdefault(violation["impact"], 0)
                figures[side][violation["impact"]] = count + len(nodes)
                figures["violations"].append(
                    {
                        "side": side,
                        "id": violation["id"],
                        "impact": violation["impact"],
                        "nodes": len(nodes),
                        "examples": [node["target"] for node in nodes[:3]],
                        **(
                            {"upstream": UPSTREAM[violation["id"]]}
                            if side == "jupyterlab" and violation["id"] in UPSTREAM
                            else {}
                        ),
                    }
                )
                if side == "course" and violation["impact"] in SEVERE:
                    severe.append({**violation, "nodes": nodes})
    report[name] = figures
    return severe


def _explain(severe: list[dict[str, Any]]) -> str:
    lines = []
    for violation in severe:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        lines += [f"    {node['target']}: {node['html'][:160]}" for node in violation["nodes"][:5]]
    return "\n".join(lines)


# -- the lessons, in the JupyterLab `make lab` starts ---------------------------------------------------------


def _open(page: Any, lab: MakeLab, stem: str) -> None:
    workspace = re.sub(r"\W", "-", f"a11y-{stem}")
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/notebooks/{stem}.ipynb?reset&token={lab.token}")
    page.locator(VISIBLE).first.wait_for(timeout=60_000)
    wait_for_idle_kernel(page, timeout=90)


@pytest.mark.parametrize("stem", RUN + READ)
def test_a_lesson_in_jupyterlab_has_no_severe_violation_of_its_own(
    stem: str, lab_server: MakeLab, page: Any, snap: Any, axe_source: str, report: dict[str, Any]
) -> None:
    _open(page, lab_server, stem)
    if stem in RUN:
        start_run_all(page)
        wait_run_all(page, RUN_ALL_TIMEOUT_MS)
    snap(f"a11y-{stem}")
    severe = audit(page, axe_source, report, f"jupyterlab/{stem}", COURSE_IN_JUPYTERLAB)
    assert not severe, f"{stem}: the course's own content has severe accessibility violations:\n{_explain(severe)}"


# -- the dashboards and the checkout page: the course's own pages --------------------------------------------


@pytest.fixture(scope="module")
def busy_lab() -> Iterator[Lab]:
    """A lab with something on every dashboard: a payment, a failed delivery and its retry, an alert, a form."""
    with Lab(seed=11) as lab:
        lab.provisioning.faults.down()
        ada = lab.payments.create_customer("ada@example.com", name="Ada Lovelace")
        lab.payments.pay(ada["id"], 4900, metadata={"plan": "pro"})
        lab.settle()
        lab.provisioning.faults.up()
        lab.advance(hours=1)
        lab.crm.submit_form(name="Grace Hopper", email="grace@example.com")
        lab.raise_alert("payments", "delivery_failed", "gave up delivering an event to provisioning")
        lab.settle()
        yield lab


def _dashboards(lab: Lab) -> dict[str, str]:
    pages = {"overview": lab.url + "/"}
    pages.update({name: system.url + "/" for name, system in lab.systems.items()})
    detail = re.search(r'href="(?:\./)?([^"#]*?/\w+_[A-Za-z0-9]+)"', requests.get(pages["payments"], timeout=10).text)
    if detail:
        pages["payments detail"] = lab.payments.url + "/" + detail.group(1).lstrip("/")
    return pages


def test_every_dashboard_has_no_severe_violation(
    busy_lab: Lab, page: Any, snap: Any, axe_source: str, report: dict[str, Any]
) -> None:
    failures = []
    pages = _dashboards(busy_lab)
    # Paused, as a reader may pause it: a reload every few seconds would cut axe's run short.
    page.add_init_script("localStorage.setItem('hooklab-auto-refresh-paused', '1')")
    for name, url in pages.items():
        page.goto(url)
        snap(f"a11y-dashboard-{name.replace(' ', '-')}")
        severe = audit(page, axe_source, report, f"dashboard/{name}")
        if severe:
            failures.append(f"{name} ({url}):\n{_explain(severe)}")
    assert len(pages) >= 6, pages
    assert not failures, "\n".join(failures)


def test_the_checkout_page_has_no_severe_violation_open_or_declined(
    page: Any, snap: Any, axe_source: str, report: dict[str, Any]
) -> None:
    import stripe

    with Lab(seed=11, systems=["payments"]) as lab:
        client = stripe.StripeClient(
            lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0
        )
        session = client.v1.checkout.sessions.create(
            {
                "mode": "payment",
                "line_items": [
                    {
                        "price_data": {"currency": "usd", "unit_amount": 4900, "product_data": {"name": "Pro plan"}},
                        "quantity": 1,
                    }
                ],
                "success_url": lab.payments.url + "/checkout/done?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": lab.url + "/",
                "customer_email": "ada@example.com",
            }
        )
        page.goto(session.url)
        open_severe = audit(page, axe_source, report, "checkout/open")
        page.get_by_label("Card number").fill("4000 0000 0000 0002")
        page.get_by_role("button", name=re.compile("^Pay")).click()
        page.get_by_role("alert").wait_for()
        snap("a11y-checkout-declined")
        declined_severe = audit(page, axe_source, report, "checkout/declined")
    assert not open_severe and not declined_severe, _explain(open_severe + declined_severe)
