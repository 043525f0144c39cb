"""Security: loopback only, the admin token, signatures that break on any changed byte, secrets kept out of logs."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import standardwebhooks
import stripe

from simulators import Lab
from simulators.learner import WebhookRequest


class Capture:
    """A learner endpoint keeping each request's exact body and headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, request: WebhookRequest) -> None:
        self.seen.append((request.body, dict(request.headers)))


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=41) as running:
        yield running


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc shows them) with a socket LISTENing on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


def test_no_system_listens_beyond_loopback(lab: Lab) -> None:
    lab.host(lambda request: None, name="mine")
    services: list[Any] = [*lab.systems.values(), *lab.endpoints.values(), lab.control]
    for service in services:
        addresses = _listening(service.port)
        assert addresses, f"{service!r} is not listening on {service.port}"
        assert addresses == ["0100007F"], f"{service!r} listens on {addresses} (only 127.0.0.1 = 0100007F is allowed)"


def _admin_routes(lab: Lab) -> list[tuple[str, str]]:
    app = lab.control.app
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((method, rule.rule.replace("<name>", "payments")))
    return out


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", "Basic aGk6aGk=", "hl_admin_x", "TOKEN-1"],
    ids=["missing", "empty", "bearer-only", "wrong", "basic", "bare-prefix", "one-byte-changed"],
)
def test_the_admin_api_refuses_without_the_token_and_changes_nothing(lab: Lab, authorization: str | None) -> None:
    if authorization == "TOKEN-1":  # the real token with its last character changed
        last = lab.admin_token[-1]
        authorization = "Bearer " + lab.admin_token[:-1] + ("A" if last != "A" else "B")
    headers = {} if authorization is None else {"Authorization": authorization}
    now = lab.clock.now()
    routes = _admin_routes(lab)
    assert len(routes) >= 6
    for method, path in routes:
        body = {"kind": "down", "hours": 1, "start": now.isoformat(), "days": 30}
        response = requests.request(method, lab.url + path, json=body, headers=headers, timeout=10)
        assert response.status_code == 401, f"{method} {path} with {authorization!r} -> {response.status_code}"
        assert "admin token" in response.json()["error"]["message"]
    assert lab.clock.now() == now
    assert all(not system.faults.active() and not system.faults.scheduled for system in lab.systems.values())
    good = requests.get(lab.url + "/admin/status", headers={"Authorization": f"Bearer {lab.admin_token}"}, timeout=10)
    assert good.status_code == 200


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_stripe_signature_fails_when_any_byte_of_the_payload_or_signature_changes(lab: Lab) -> None:
    capture = Capture()
    endpoint = lab.payments.add_endpoint(
        lab.host(capture, name="capture").url, enabled_events=["payment_intent.succeeded"]
    )
    lab.payments.pay(None, 1900)
    lab.settle()
    body, headers = capture.seen[0]
    header = headers["Stripe-Signature"]
    secret = endpoint["secret"]
    assert stripe.Webhook.construct_event(body, header, secret).type == "payment_intent.succeeded"
    for index in range(len(body)):
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(_flip(body, index), header, secret)
    signature_at = header.index("v1=") + 3
    for index in range(signature_at, len(header)):
        changed = header[:index] + ("0" if header[index] != "0" else "1") + header[index + 1 :]
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(body, changed, secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, secret[:-1] + ("A" if secret[-1] != "A" else "B"))


def test_a_standard_webhooks_signature_fails_when_any_byte_of_the_message_or_its_headers_changes(lab: Lab) -> None:
    capture = Capture()
    endpoint = lab.crm.add_endpoint(lab.host(capture, name="capture").url)
    lab.crm.submit_form(name="Ada", email="ada@example.com", message="hello")
    lab.settle()
    body, received = capture.seen[0]
    headers = {name.lower(): value for name, value in received.items() if name.lower().startswith("webhook-")}
    verifier = standardwebhooks.Webhook(endpoint["secret"])
    assert verifier.verify(body, headers)["type"] == "form.submitted"
    for index in range(len(body)):
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            verifier.verify(_flip(body, index), headers)
    message_id = headers["webhook-id"]
    for index in range(len(message_id)):
        changed = {
            **headers,
            "webhook-id": message_id[:index] + ("A" if message_id[index] != "A" else "B") + message_id[index + 1 :],
        }
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            verifier.verify(body, changed)
    # Change the signature's bytes, not its base64 letters: the last letter carries padding bits
    # that decode to the same bytes, which is not a changed signature.
    version, _, encoded = headers["webhook-signature"].partition(",")
    signature = base64.b64decode(encoded)
    for index in range(len(signature)):
        changed = {**headers, "webhook-signature": f"{version},{base64.b64encode(_flip(signature, index)).decode()}"}
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            verifier.verify(body, changed)
    later = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 1)}
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        verifier.verify(body, later)


def test_secrets_are_never_logged_or_printed_in_full(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    capture = Capture()
    url = lab.host(capture, name="capture").url
    pay_endpoint = lab.payments.add_endpoint(url + "/pay")
    crm_endpoint = lab.crm.add_endpoint(url + "/crm")
    customer = lab.payments.create_customer("sec@example.com")
    lab.payments.pay(customer["id"], 1900)
    lab.crm.submit_form(name="Sec", email="sec@example.com")
    requests.get(lab.url + "/admin/status", headers={"Authorization": f"Bearer {lab.admin_token}"}, timeout=10)
    requests.get(lab.payments.url + "/v1/customers", auth=(lab.payments.api_key, ""), timeout=10)
    lab.settle()
    secrets = {
        "api key": lab.payments.api_key,
        "admin token": lab.admin_token,
        "payments endpoint secret": pay_endpoint["secret"],
        "crm endpoint secret": crm_endpoint["secret"],
        "provisioning endpoint secret": lab.payments.provisioning_endpoint["secret"],
    }
    logs = []
    for service in [*lab.systems.values(), *lab.endpoints.values()]:
        for entry in service.requests.entries():
            logs.append(json.dumps(entry, ensure_ascii=False))
    assert len(logs) > 10
    printed = [
        repr(lab),
        str(lab),
        *map(repr, lab.systems.values()),
        *map(repr, lab.endpoints.values()),
        repr(lab.payments._target(pay_endpoint["id"])),
        repr(lab.crm._target(crm_endpoint["id"])),
        *map(str, lab.alerts),
        repr(lab.payments.endpoints()),
        repr(lab.crm.endpoints()),
    ]
    print(*printed)
    out = capsys.readouterr()
    for what, secret in secrets.items():
        for text in [*logs, *printed, out.out, out.err]:
            assert secret not in text, f"the {what} appears in full in {text[:200]!r}"
    masked = [entry for entry in logs if re.search(r"whsec_\w{2}…", entry)]
    assert masked, "the answer to creating an endpoint is logged with its secret shortened, not dropped"
