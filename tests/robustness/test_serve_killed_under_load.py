"""`hooklab serve` on a state folder, killed (SIGKILL) at random points under load 20 times, restarted each time.

A client makes payments with an Idempotency-Key each, as the stripe SDK does, and retries a key whose answer
it lost with the same key after the restart. Afterwards: no answered payment is lost, no key charged twice,
every payment's webhook reached the receiver, and the clock never started earlier than where it was killed
(issue 28's crash test).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from simulators.server import BackgroundServer

KILLS = 20
SEED = 28
HOOKLAB = [sys.executable, "-m", "simulators.course", "serve", "--json", "--seed", str(SEED)]


class Receiver:
    """Notes the PaymentIntent of every `payment_intent.succeeded` that arrives."""

    def __init__(self) -> None:
        self.paid: set[str] = set()
        self._lock = threading.Lock()
        self.server = BackgroundServer(self._app, name="receiver").start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        event = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
        if event.get("type") == "payment_intent.succeeded":
            with self._lock:
                self.paid.add(event["data"]["object"]["id"])
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


class Client:
    """Pays with a key per order until told to stop or the server dies; keeps what it could not confirm."""

    def __init__(self) -> None:
        self.answered: dict[str, dict[str, Any]] = {}  # key -> the PaymentIntent the API answered with
        self.unsure: list[str] = []  # keys whose answer was lost with the server
        self.orders = 0

    def pay(self, details: dict[str, Any], key: str) -> bool:
        while True:  # as the stripe SDK does: a 429 is waited out and sent again with the same key
            answer = self._post(details, key)
            if answer is None or answer.status_code != 429:
                break
            time.sleep(float(answer.headers.get("Retry-After") or 1))
        if answer is None or answer.status_code == 409:  # lost with a dead server, or its first try is in flight
            return False
        assert answer.status_code == 200, answer.text
        self.answered[key] = answer.json()
        return True

    def _post(self, details: dict[str, Any], key: str) -> requests.Response | None:
        pay = details["payments"]
        try:
            return requests.post(
                pay["url"] + "/v1/payment_intents",
                data={
                    "amount": str(1000 + int(key.split("-")[1])),
                    "currency": "usd",
                    "confirm": "true",
                    "payment_method": "pm_card_visa",
                    "metadata[order]": key,
                },
                headers={"Authorization": f"Bearer {pay['api_key']}", "Idempotency-Key": key},
                timeout=10,
            )
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            return None  # killed before or while answering: the answer is lost, the key is retried later

    def run(self, details: dict[str, Any], stop: threading.Event) -> None:
        while self.unsure and not stop.is_set():
            if not self.pay(details, self.unsure[0]):
                return
            self.unsure.pop(0)
        while not stop.is_set():
            key = f"order-{self.orders}"
            self.orders += 1
            if not self.pay(details, key):
                self.unsure.append(key)
                return


def _start(state: Path, home: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    env = {**os.environ, "HOOKLAB_HOME": str(home)}
    proc = subprocess.Popen(
        [*HOOKLAB, "--state-dir", str(state)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    return proc, json.loads(proc.stdout.readline())  # type: ignore[union-attr]


def _clock(details: dict[str, Any]) -> float:
    control = details["control"]
    answer = requests.get(
        control["url"] + "/admin/clock", headers={"Authorization": f"Bearer {control['admin_token']}"}, timeout=10
    )
    return float(answer.json()["timestamp"])


def _all_intents(details: dict[str, Any]) -> list[dict[str, Any]]:
    pay, found, after = details["payments"], [], None
    while True:
        params = {"limit": "100", **({"starting_after": after} if after else {})}
        page = requests.get(
            pay["url"] + "/v1/payment_intents", params=params, auth=(pay["api_key"], ""), timeout=10
        ).json()
        found += page["data"]
        if not page["has_more"]:
            return found
        after = page["data"][-1]["id"]


def test_killed_twenty_times_under_load_nothing_is_lost_or_doubled(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    state, home = tmp_path / "state", tmp_path / "home"
    receiver, client = Receiver(), Client()
    clock_before_kill = 0.0
    try:
        proc, details = _start(state, home)
        pay = details["payments"]
        made = requests.post(
            pay["url"] + "/v1/webhook_endpoints",
            data={"url": receiver.server.url + "/hook", "enabled_events[]": "payment_intent.succeeded"},
            auth=(pay["api_key"], ""),
            timeout=10,
        )
        assert made.ok, made.text
        for kill in range(KILLS + 1):
            if kill:
                proc, details = _start(state, home)
                started_at = _clock(details)
                assert started_at >= clock_before_kill - 1, f"restart {kill}: the clock went back"
            stop = threading.Event()
            paying = threading.Thread(target=client.run, args=(details, stop))
            paying.start()
            if kill == KILLS:  # the last run: let the client finish its unsure keys, then stop calmly
                time.sleep(0.5)
                stop.set()
                paying.join()
                break
            time.sleep(rng.uniform(0.2, 1.2))
            clock_before_kill = _clock(details)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()  # type: ignore[union-attr]
            stop.set()
            paying.join()
        while client.unsure:  # keys whose answers died with the last server
            assert client.pay(details, client.unsure.pop(0))
        intents = _all_intents(details)
        by_order: dict[str, list[str]] = {}
        for intent in intents:
            by_order.setdefault(intent["metadata"]["order"], []).append(intent["id"])
        doubled = {order: ids for order, ids in by_order.items() if len(ids) > 1}
        assert not doubled, f"charged twice: {doubled}"
        lost = [key for key, intent in client.answered.items() if by_order.get(key) != [intent["id"]]]
        assert not lost, f"answered but not kept (or kept as another payment): {lost}"
        assert len(client.answered) >= KILLS, "the load was real: payments went through between the kills"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not {i["id"] for i in intents} <= receiver.paid:
            time.sleep(0.2)
        missing = {i["id"] for i in intents} - receiver.paid
        assert not missing, f"{len(missing)} payments' webhooks never arrived after the restarts"
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]
    finally:
        if proc.poll() is None:
            proc.kill()
        receiver.server.stop()
