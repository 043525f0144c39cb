"""`hooklab trigger` and `hooklab listen` against a running lab."""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import standardwebhooks
import stripe

from simulators import Lab
from simulators.cli import main
from simulators.learner import WebhookRequest


def _flags(lab: Lab) -> list[str]:
    return ["--api-base", lab.payments.url, "--api-key", lab.payments.api_key]


def test_trigger_reads_env_then_serve_file(
    bare_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HOOKLAB_API_BASE", raising=False)
    monkeypatch.delenv("HOOKLAB_API_KEY", raising=False)
    monkeypatch.setenv("HOOKLAB_HOME", str(tmp_path))
    assert main(["trigger", "customer.created"]) == 1
    assert "hooklab serve" in capsys.readouterr().err
    (tmp_path / "serve.json").write_text(
        json.dumps({"payments": {"url": bare_lab.payments.url, "api_key": bare_lab.payments.api_key}})
    )
    assert main(["trigger", "customer.created"]) == 0
    monkeypatch.setenv("HOOKLAB_API_KEY", "sk_test_wrong")
    assert main(["trigger", "customer.created"]) == 1
    assert "Invalid API Key" in capsys.readouterr().err
    assert len(bare_lab.payments.customers()) == 1
    assert main(["trigger", "nothing.happened", *_flags(bare_lab)]) == 2


class Listening:
    """`hooklab listen` running in a thread against `lab`, with what it printed so far."""

    def __init__(self, lab: Lab, capsys: pytest.CaptureFixture[str], *flags: str) -> None:
        self.lab, self.capsys, self.printed = lab, capsys, ""
        self.result: list[int] = []
        self.thread = threading.Thread(target=lambda: self.result.append(main(["listen", *flags, *_flags(lab)])))
        self.thread.start()
        self.secret = self._wait_for(r"signing secret is (whsec_\S+)")
        [self.endpoint] = lab.payments.endpoints()

    def _wait_for(self, pattern: str) -> str:
        for _ in range(500):
            self.printed += self.capsys.readouterr().out
            found = re.search(pattern, self.printed)
            if found:
                return found.group(1)
            threading.Event().wait(0.01)
        raise AssertionError(f"listen never printed {pattern!r}: {self.printed!r}")

    def finish(self) -> list[str]:
        self.thread.join(timeout=10)
        assert self.result == [0]
        self.printed += self.capsys.readouterr().out
        return [line for line in self.printed.splitlines() if "-->" in line or "<--" in line]


_SENT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d   --> (\S+) \[(evt_\w+)\]$")
_ANSWERED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  <--  \[(\d+)\] POST (\S+) \[(evt_\w+)\]$")


def test_listen_forwards_the_signed_bytes_untouched_and_prints_like_the_stripe_cli(
    bare_lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = bare_lab
    answers = iter([500, 200])
    verified: list[tuple[str, bytes]] = []
    holder: dict[str, str] = {}

    def handler(request: WebhookRequest) -> int:
        event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], holder["secret"])
        verified.append((event.id, request.body))
        return next(answers)

    target = lab.host(handler, name="target")
    url = target.url + "/hook"
    listening = Listening(
        lab, capsys, "--forward-to", url, "--events", "customer.created", "--retry-policy", "standard", "--count", "2"
    )
    holder["secret"] = listening.secret
    assert listening.endpoint["url"] != url, "the endpoint is listen's own receiver, which forwards"
    lab.payments.create_customer("ada@example.com")
    lab.advance(minutes=1)  # the retry after the 500
    lines = listening.finish()
    assert "You are using Stripe API Version [2020-08-27]" in listening.printed
    event_id = lab.payments.events(type="customer.created")[-1]["id"]
    assert [(m.group(1), m.group(2)) for m in map(_SENT.match, lines[0::2]) if m] == [
        ("customer.created", event_id)
    ] * 2
    assert [(m.group(1), m.group(2), m.group(3)) for m in map(_ANSWERED.match, lines[1::2]) if m] == [
        ("500", url, event_id),
        ("200", url, event_id),
    ]
    assert [body for _, body in verified] == [lab.payments.event_payload(event_id)] * 2  # the exact signed bytes
    assert [a["outcome"] for a in lab.payments.outbox.attempts(event_id=event_id)] == ["failed", "succeeded"]
    assert lab.payments.endpoints() == []  # removed on exit


def test_listen_passes_standard_webhooks_headers_through(bare_lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    lab = bare_lab
    secret = "whsec_" + base64.b64encode(b"a learner's own 24 bytes").decode()
    received: list[Any] = []
    target = lab.host(
        lambda request: (
            received.append(standardwebhooks.Webhook(secret).verify(request.body, dict(request.headers))) or 204
        ),
        name="target",
    )
    listening = Listening(lab, capsys, "--forward-to", target.url, "--count", "1")
    body = b'{"id": "evt_std_1", "type": "contact.created", "data": {"email": "ada@example.com"}}'
    stamp = datetime.now(tz=timezone.utc)
    signature = standardwebhooks.Webhook(secret).sign("msg_1", stamp, body.decode())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
    answer = requests.post(listening.endpoint["url"], data=body, headers=headers, timeout=10)
    lines = listening.finish()
    assert answer.status_code == 204 and received == [
        {"id": "evt_std_1", "type": "contact.created", "data": {"email": "ada@example.com"}}
    ]
    assert lines[0].endswith("   --> contact.created [evt_std_1]")
    assert lines[1].endswith(f"  <--  [204] POST {target.url} [evt_std_1]")


def test_listen_forwards_only_the_listed_events(bare_lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    lab = bare_lab
    target = lab.host(lambda request: 200, name="target")
    listening = Listening(
        lab, capsys, "--forward-to", target.url, "--events", "customer.deleted, customer.updated", "--count", "2"
    )
    customer = lab.payments.create_customer("bo@example.com")
    lab.payments.client.post(f"/v1/customers/{customer['id']}", name="Bo")
    lab.payments.client.delete(f"/v1/customers/{customer['id']}")
    lines = listening.finish()
    assert [m.group(1) for m in map(_SENT.match, lines) if m] == ["customer.updated", "customer.deleted"]
    assert listening.endpoint["enabled_events"] == ["customer.deleted", "customer.updated"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--forward-to", "http://127.0.0.1:9/hook", "--events", "payment_intent.*"],
            "no wildcards such as payment_intent.*",
        ),
        (["--forward-to", "http://example.com/hook"], "only delivers to this machine"),
    ],
)
def test_listen_refuses_partial_wildcards_and_other_hosts(
    bare_lab: Lab, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    assert main(["listen", *flags, *_flags(bare_lab)]) == 2
    assert message in capsys.readouterr().err
    assert bare_lab.payments.endpoints() == []
