"""`hooklab listen --forward-to URL`: receive the payment system's deliveries and forward them, as `stripe listen` does.

Listen registers a webhook endpoint pointing at its own loopback receiver,
prints the endpoint's `whsec_` secret, and passes each delivery on to
`--forward-to` with its body and headers untouched (only the hop-by-hop ones
are left to the HTTP client), so the receiving code verifies the exact signed
bytes against that secret. It answers the payment system with the target's
status, so a failure is retried by the endpoint's policy like any other. Each
delivery prints as the Stripe CLI prints it:

    2026-12-02 09:15:02   --> payment_intent.created [evt_…]
    2026-12-02 09:15:02  <--  [200] POST http://127.0.0.1:8000/webhooks [evt_…]

`--events` takes exact event types, comma-separated, or `*`: the Stripe CLI
matches `*` or the exact type and has no wildcards such as `payment_intent.*`.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import requests

from ..errors import ApiError
from ..http import post_webhook
from ..payments.client import PaymentsClient, PaymentsError
from ..payments.connection import ConnectionMissing, connect
from ..server import BackgroundServer, ServerError
from ..webhooks.sender import check_loopback

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FORWARD_TIMEOUT = 30.0
#: Headers that describe one hop, not the message: the client sending it on sets its own.
HOP_BY_HOP = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade"})


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "listen",
        help="forward payment events to a URL and print every delivery",
        description="Register a webhook endpoint, print its whsec_ signing secret, and forward each delivery to "
        "--forward-to with its body and headers untouched, printing each one, until Ctrl-C (when the endpoint "
        "is removed again).",
    )
    parser.add_argument(
        "--forward-to",
        required=True,
        metavar="URL",
        help="where to forward events, such as http://127.0.0.1:8000/webhooks (this machine only)",
    )
    parser.add_argument(
        "--events", default="*", help="comma-separated event types to forward, or * (the default) for all"
    )
    parser.add_argument("--retry-policy", default=None, help="none, stripe or standard (default: the lab's)")
    parser.add_argument("--api-base", default=None, help="the payment system's URL")
    parser.add_argument("--api-key", default=None, help="its API key (sk_test_…)")
    parser.add_argument(
        "--count", type=int, default=None, help="stop after forwarding this many deliveries (default: until Ctrl-C)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the endpoint registered on exit")
    return parser


def event_filter(text: str) -> list[str]:
    """The `--events` list: exact types or `*`; a partial wildcard is refused, as the Stripe CLI never matches one."""
    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip())) or ["*"]
    for name in names:
        if "*" in name and name != "*":
            raise ValueError(
                f"--events takes exact event types or *, not {name!r}: the Stripe CLI has no wildcards "
                "such as payment_intent.* (list the types, comma-separated)"
            )
    return names


class Forwarder:
    """A WSGI receiver that forwards each delivery to `target` untouched and answers with the target's status."""

    def __init__(
        self,
        target: str,
        *,
        out: Callable[[str], None],
        now: Callable[[], datetime] = datetime.now,
        count: int | None = None,
    ) -> None:
        self.target = target
        self.out = out
        self.now = now
        self.count = count
        self.forwarded = 0
        self.done = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body: bytes = environ["wsgi.input"].read(length) if length else b""
        headers = forwarded_headers(environ)
        event_type, event_id = describe(body, headers)
        self._print(f"{self._stamp()}   --> {event_type} [{event_id}]")
        try:
            answer = post_webhook(self.target, body, headers, FORWARD_TIMEOUT)
        except requests.RequestException as exc:
            self._print(f"{self._stamp()}            [ERROR] Failed to POST: {exc}")
            status, excerpt = 502, f"hooklab listen could not reach {self.target}: {exc}"
        else:
            self._print(f"{self._stamp()}  <--  [{answer.status}] POST {self.target} [{event_id}]")
            status, excerpt = answer.status, answer.excerpt
        start_response(f"{status} {'OK' if status < 400 else 'Forwarded'}", [("Content-Type", "text/plain")])
        return _Answer(excerpt.encode(), self._count_one)

    def _count_one(self) -> None:
        with self._lock:
            self.forwarded += 1
            if self.count is not None and self.forwarded >= self.count:
                self.done.set()

    def _stamp(self) -> str:
        return self.now().strftime(TIME_FORMAT)

    def _print(self, line: str) -> None:
        with self._lock:
            self.out(line)


class _Answer(list[bytes]):
    """A WSGI body that calls `then` once the server has sent it (so `--count` never cuts the last answer short)."""

    def __init__(self, body: bytes, then: Callable[[], None]) -> None:
        super().__init__([body])
        self._then = then

    def close(self) -> None:
        self._then()


def forwarded_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers as they arrived, less the hop-by-hop ones."""
    found: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE",):
            name = "Content-Type"
        else:
            continue
        if name.lower() not in HOP_BY_HOP and value:
            found[name] = value
    return found


def describe(body: bytes, headers: dict[str, str]) -> tuple[str, str]:
    """The event's type and id, for the printed line (a body that is not an event prints as such)."""
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    if not isinstance(event, dict):
        event = {}
    event_id = event.get("id") or next((v for k, v in headers.items() if k.lower() == "webhook-id"), "?")
    return str(event.get("type") or "(not an event)"), str(event_id)


def run(args: argparse.Namespace) -> int:
    try:
        events = event_filter(args.events)
        target = check_loopback(args.forward_to, param="--forward-to")
    except ValueError as exc:
        print(f"hooklab listen: {exc}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"hooklab listen: {exc.message}", file=sys.stderr)
        return 2
    try:
        api = connect(args.api_base, args.api_key)
    except ConnectionMissing as exc:
        print(f"hooklab listen: {exc}", file=sys.stderr)
        return 1
    forwarder = Forwarder(target, out=lambda line: print(line, flush=True), count=args.count)
    receiver = BackgroundServer(forwarder, name="listen")
    try:
        receiver.start()
        return _listen(api, receiver, forwarder, events, args)
    except ServerError as exc:
        print(f"hooklab listen: {exc}", file=sys.stderr)
        return 1
    finally:
        receiver.stop()
        api.close()


def _listen(
    api: PaymentsClient, receiver: BackgroundServer, forwarder: Forwarder, events: list[str], args: argparse.Namespace
) -> int:
    params: dict[str, Any] = {"url": receiver.url + "/", "enabled_events": events, "description": "hooklab listen"}
    if args.retry_policy:
        params["retry_policy"] = args.retry_policy
    try:
        endpoint = api.post("/v1/webhook_endpoints", **params)
    except PaymentsError as exc:
        print(f"hooklab listen: {exc.error.get('message', exc)}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"hooklab listen: cannot reach the payment system at {api.url}: {exc}", file=sys.stderr)
        return 1
    print(
        f"> Ready! You are using Stripe API Version [{endpoint['api_version']}]. Your webhook signing secret is "
        f"{endpoint['secret']} (^C to quit)",
        flush=True,
    )
    print(f"> Forwarding {', '.join(events)} to {forwarder.target} (endpoint {endpoint['id']})", flush=True)
    try:
        while not forwarder.done.wait(0.5):
            pass
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        if not args.keep:
            try:
                api.delete(f"/v1/webhook_endpoints/{endpoint['id']}")
            except (PaymentsError, requests.RequestException):
                pass  # the system went away first; nothing left to tidy
