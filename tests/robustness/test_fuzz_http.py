"""Property-based fuzzing of every HTTP endpoint of every system, the admin API and learner endpoints.

For each route (read from the app's own URL map) hypothesis sends requests
from well-formed to garbage. Every answer must be below 500 (a learner
handler's own failure aside, which must still say what went wrong), every
error must be JSON with a message, and a refused request or a read must leave
every stored object as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from fuzzhttp import Fuzzed, Route, check_answer, loopback_only, must_not_change, requests_for, routes, snapshot
from hypothesis import given
from hypothesis import strategies as st

from simulators import Lab
from simulators.learner import WebhookRequest
from simulators.payments.cards import CARDS
from tests.robustness.slow import fuzz_settings

PAY_KEYS = [
    "amount",
    "currency",
    "customer",
    "payment_method",
    "confirm",
    "metadata",
    "metadata[plan]",
    "description",
    "email",
    "name",
    "items",
    "items[0][price]",
    "price",
    "limit",
    "starting_after",
    "ending_before",
    "expand[]",
    "expand",
    "created[gte]",
    "created[lt]",
    "created",
    "type",
    "types[]",
    "delivery_success",
    "url",
    "enabled_events[]",
    "enabled_events",
    "disabled",
    "retry_policy",
    "retry_policy[0]",
    "payment_intent",
    "charge",
    "reason",
    "cancel_at_period_end",
    "default_payment_method",
    "invoice_settings[default_payment_method]",
    "since",
    "webhook_endpoint",
    "duplicates",
    "out_of_order",
    "reads_per_minute",
    "reads_burst",
    "writes_per_minute",
    "writes_burst",
    "off",
    "status",
    "api_version",
    "id",
    "object",
    "receipt_email",
    "setup_future_usage",
]
CRM_KEYS = [
    "name",
    "email",
    "company",
    "message",
    "phone",
    "title",
    "contact",
    "notes",
    "due",
    "status",
    "url",
    "events",
    "retry_policy",
    "limit",
    "starting_after",
    "ending_before",
    "type",
    "tags",
    "description",
]
MAILER_KEYS = ["to", "subject", "body", "kind", "tags", "from", "limit", "starting_after", "ending_before", "html"]
PROVISIONING_KEYS = ["customer", "plan", "email", "event", "status", "type", "data", "object", "id", "metadata"]
ADMIN_KEYS = ["kind", "rate", "status", "retry_after", "seconds", "minutes", "hours", "days", "start", "end", "name"]
ENDPOINT_KEYS = ["id", "type", "data", "object", "status", "echo"]


def _routes_by_system() -> dict[str, list[Route]]:
    with Lab(seed=0) as lab:
        lab.host(lambda request: None, name="probe")
        found = {name: routes(system.app) for name, system in lab.systems.items()}
        found["endpoint"] = routes(lab.endpoints["probe"].app)
        found["admin"] = routes(lab.control.app)
    return found


ROUTES = _routes_by_system()


def _echo(request: WebhookRequest) -> Any:
    """A learner handler that answers with whatever JSON it was sent: garbage in, garbage out."""
    return request.json


def _status_echoed(sent: Fuzzed) -> int | None:
    """The status `_echo` asks for: a body that is a bare int (a handler may return a status code).

    One the lab cannot send is answered as a bad return instead, which the usual checks then cover.
    """
    try:
        value = json.loads(sent.body or b"")
    except ValueError:
        return None
    return value if type(value) is int else None


@pytest.fixture(scope="module")
def fuzz_lab() -> Iterator[Lab]:
    with loopback_only(), Lab(seed=21) as lab:
        lab.payments.rate_limit(None)
        pay = lab.payments
        customer = pay.create_customer("fuzz@example.com", name="Fuzz", metadata={"plan": "pro"})
        intent = pay.pay(customer["id"], 1900, metadata={"plan": "basic"})
        pay.pay(customer["id"], 4900, payment_method="pm_card_chargeDeclined")
        pay.refund(intent["id"], amount=100)
        pay.subscribe(customer["id"], "basic")
        pay.add_endpoint(lab.host(_echo, name="echo").url + "/hook")
        lab.crm.submit_form(name="Ada", email="ada@example.com", message="hi")
        contact = lab.crm.create_contact("grace@example.com", name="Grace")
        lab.crm.create_task("call Grace", contact=contact["id"])
        lab.crm.add_endpoint(lab.endpoints["echo"].url + "/crm")
        lab.mailer.send("ops@example.com", "hello", "a body")
        lab.settle()
        yield lab


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as made:
        yield made


def _ids(lab: Lab, name: str) -> list[str]:
    found = [row["id"] for row in lab.system(name).store.query("SELECT id FROM documents ORDER BY seq DESC LIMIT 60")]
    if name == "payments":
        found += list(CARDS)[:4]
    return found


def _fuzz(
    lab: Lab,
    session: requests.Session,
    name: str,
    route: Route,
    keys: list[str],
    examples: int,
    *,
    auth: Any = None,
    learner_code: bool = False,
) -> None:
    system = lab.system(name)
    ids = _ids(lab, name)

    @fuzz_settings(examples)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        sent = data.draw(requests_for(route, ids=ids, keys=keys, auth=auth))
        lab.settle()
        before = snapshot(system.store)
        response = sent.send(session, system.url)
        chosen = _status_echoed(sent) if name == "echo" else None
        check_answer(route, sent, response, learner_code=learner_code, chosen_status=chosen)
        lab.settle()
        if must_not_change(response, sent):
            assert snapshot(system.store) == before, (
                f"{sent.method} {sent.path} answered {response.status_code} but changed stored objects"
            )
        if name == "payments":  # fuzzed settings must not starve the next example
            lab.payments.rate_limit(None)
            lab.payments.knobs(duplicates=0, out_of_order=0)

    with loopback_only():
        run()


@pytest.mark.parametrize("route", ROUTES["payments"], ids=lambda r: r.id)
def test_payments_api(fuzz_lab: Lab, session: requests.Session, route: Route) -> None:
    auth = lambda: {"Authorization": f"Bearer {fuzz_lab.payments.api_key}"}  # noqa: E731
    _fuzz(fuzz_lab, session, "payments", route, PAY_KEYS, 6, auth=auth)


@pytest.mark.parametrize("route", ROUTES["provisioning"], ids=lambda r: r.id)
def test_provisioning_api(fuzz_lab: Lab, session: requests.Session, route: Route) -> None:
    # The webhook path runs the case study's naive handler, learner-replaceable code that may fail on garbage.
    _fuzz(
        fuzz_lab,
        session,
        "provisioning",
        route,
        PROVISIONING_KEYS,
        8,
        learner_code=route.rule.startswith("/webhooks/payments"),
    )


@pytest.mark.parametrize("route", ROUTES["crm"], ids=lambda r: r.id)
def test_crm_api(fuzz_lab: Lab, session: requests.Session, route: Route) -> None:
    _fuzz(fuzz_lab, session, "crm", route, CRM_KEYS, 6)


@pytest.mark.parametrize("route", ROUTES["mailer"], ids=lambda r: r.id)
def test_mailer_api(fuzz_lab: Lab, session: requests.Session, route: Route) -> None:
    _fuzz(fuzz_lab, session, "mailer", route, MAILER_KEYS, 10)


@pytest.mark.parametrize("route", ROUTES["endpoint"], ids=lambda r: r.id)
def test_learner_endpoint(fuzz_lab: Lab, session: requests.Session, route: Route) -> None:
    _fuzz(fuzz_lab, session, "echo", route, ENDPOINT_KEYS, 8, learner_code=True)


@pytest.fixture(scope="module")
def admin_lab() -> Iterator[Lab]:
    # The mailer alone: fuzzed faults and year-long clock jumps stay cheap and touch nothing else.
    with Lab(seed=22, systems=["mailer"]) as lab:
        lab.host(lambda request: None, name="hook")
        yield lab


@pytest.mark.parametrize("route", ROUTES["admin"], ids=lambda r: r.id)
def test_admin_api(admin_lab: Lab, session: requests.Session, route: Route) -> None:
    names = ["mailer", "endpoint-hook", "payments", "nope"]
    auth = lambda: {"Authorization": f"Bearer {admin_lab.admin_token}"}  # noqa: E731

    @fuzz_settings(8)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        sent = data.draw(requests_for(route, ids=names, keys=ADMIN_KEYS, auth=auth))
        response = sent.send(session, admin_lab.url)
        check_answer(route, sent, response)
        # A request under whatever the admin accepted, before clearing it: clearing first hid `status: 429.5`.
        for service in [*admin_lab.systems.values(), *admin_lab.endpoints.values()]:
            if not service.faults.is_down:
                answer = session.get(service.url + "/", timeout=30)
                if answer.status_code != 200:
                    assert answer.json()["error"]["code"] == "injected_fault", (sent, answer.text[:300])
            service.faults.clear()
        admin_lab.settle()

    run()


@pytest.mark.parametrize("name", ["payments", "provisioning", "crm", "mailer"])
def test_unknown_urls_answer_json_404(fuzz_lab: Lab, session: requests.Session, name: str) -> None:
    route = Route("GET", "/nowhere")

    @fuzz_settings(10)
    @given(path=st.text(min_size=1, max_size=40), method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]))
    def run(path: str, method: str) -> None:
        from urllib.parse import quote

        target = "/zz-" + quote(path, safe="/")
        response = session.request(method, fuzz_lab.system(name).url + target, timeout=30)
        assert response.status_code in (404, 405), f"{method} {target} -> {response.status_code}"
        check_answer(route, type("Sent", (), {"method": method, "path": target, "query": ""})(), response)  # type: ignore[arg-type]

    run()


SOAK_SYSTEMS = {"payments": PAY_KEYS, "provisioning": PROVISIONING_KEYS, "crm": CRM_KEYS, "mailer": MAILER_KEYS}


@pytest.mark.slow
def test_soak_random_routes_across_every_system(fuzz_lab: Lab, session: requests.Session) -> None:
    """Thousands of requests, any route of any system in any order: state built by one shapes the next."""
    auth = lambda: {"Authorization": f"Bearer {fuzz_lab.payments.api_key}"}  # noqa: E731
    pool = [(name, route) for name in SOAK_SYSTEMS for route in ROUTES[name]]
    ids = sorted({i for name in SOAK_SYSTEMS for i in _ids(fuzz_lab, name)})

    @fuzz_settings(3000, 3000)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        name, route = data.draw(st.sampled_from(pool))
        sent = data.draw(
            requests_for(route, ids=ids, keys=SOAK_SYSTEMS[name], auth=auth if name == "payments" else None)
        )
        response = sent.send(session, fuzz_lab.system(name).url)
        check_answer(route, sent, response, learner_code=route.rule.startswith("/webhooks/payments"))
        fuzz_lab.payments.rate_limit(None)

    with loopback_only():
        run()
