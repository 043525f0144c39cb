"""`hooklab listen --forward-to URL`: register an endpoint and print each delivery attempt as it happens."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from typing import Any

import requests

from ..payments.client import PaymentsClient, PaymentsError
from ..payments.connection import ConnectionMissing, connect


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "listen",
        help="forward payment events to a URL and print every delivery attempt",
        description="Register a webhook endpoint for --forward-to, print its whsec_ signing secret, then print each "
        "delivery attempt (status, latency) until Ctrl-C, when the endpoint is removed again.",
    )
    parser.add_argument(
        "--forward-to",
        required=True,
        metavar="URL",
        help="where to deliver events, such as http://127.0.0.1:8000/webhooks",
    )
    parser.add_argument("--events", default="*", help="comma-separated event types to forward (default: all)")
    parser.add_argument("--retry-policy", default=None, help="none, stripe or standard (default: the lab's)")
    parser.add_argument("--api-base", default=None, help="the payment system's URL")
    parser.add_argument("--api-key", default=None, help="its API key (sk_test_…)")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between looks at the delivery log")
    parser.add_argument(
        "--count", type=int, default=None, help="stop after this many attempts (default: run until Ctrl-C)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the endpoint registered on exit")
    return parser


def run(args: argparse.Namespace) -> int:
    events = [name.strip() for name in args.events.split(",") if name.strip()] or ["*"]
    try:
        api = connect(args.api_base, args.api_key)
    except ConnectionMissing as exc:
        print(f"hooklab listen: {exc}", file=sys.stderr)
        return 1
    params: dict[str, Any] = {"url": args.forward_to, "enabled_events": events, "description": "hooklab listen"}
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
    print(f"Ready! Forwarding {', '.join(events)} to {args.forward_to}", flush=True)
    print(f"Your webhook signing secret is {endpoint['secret']} (endpoint {endpoint['id']}; ^C to quit)", flush=True)
    try:
        return _follow(api, endpoint["id"], args)
    except KeyboardInterrupt:
        return 0
    finally:
        if not args.keep:
            try:
                api.delete(f"/v1/webhook_endpoints/{endpoint['id']}")
            except (PaymentsError, requests.RequestException):
                pass  # the system went away first; nothing left to tidy
        api.close()


def _follow(api: PaymentsClient, endpoint_id: str, args: argparse.Namespace) -> int:
    after: str | None = None
    shown = 0
    while args.count is None or shown < args.count:
        try:
            page = api.get(f"/v1/webhook_endpoints/{endpoint_id}/attempts", starting_after=after, limit=100)
        except (PaymentsError, requests.RequestException) as exc:
            print(f"hooklab listen: lost the payment system: {exc}", file=sys.stderr)
            return 1
        for attempt in page["data"]:
            if args.count is not None and shown >= args.count:
                return 0
            print(describe(attempt), flush=True)
            after = attempt["id"]
            shown += 1
        if not page["has_more"]:
            time.sleep(args.poll)  # this is a terminal tool polling a server, not lab logic
    return 0


def describe(attempt: dict[str, Any]) -> str:
    """One line per attempt: when, what, and how it went."""
    at = datetime.fromtimestamp(attempt["created"], tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    result = f"[{attempt['response_status']}]" if attempt["response_status"] is not None else f"[{attempt['error']}]"
    if attempt["outcome"] != "succeeded" and attempt["response_status"] is not None and attempt["error"]:
        result += f" {attempt['error']}"
    line = (
        f"{at}  --> {attempt['event_type']} [{attempt['event']}]  <-- {result} "
        f"{attempt['latency_ms']:.1f} ms (attempt {attempt['attempt']})"
    )
    if attempt["next_attempt_at"]:
        retry = datetime.fromtimestamp(attempt["next_attempt_at"], tz=timezone.utc).strftime("%H:%M:%S")
        line += f", retry at {retry}"
    return line
