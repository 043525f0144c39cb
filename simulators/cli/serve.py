"""`hooklab serve`: every system in real time, for curl, the stripe SDK and other languages."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import settings
from ..lab import Lab
from ..labkey import private_folder
from ..server import ServerError


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="run every simulated system in real time until Ctrl-C",
        description="Run the payment, provisioning, CRM and mailer systems on free 127.0.0.1 ports, in real time, "
        "until Ctrl-C. Prints their URLs, API keys, webhook secrets and the admin token.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the connection details as one JSON object on the first line"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for ids, keys and secrets (default: random)")
    parser.add_argument(
        "--state-dir", default=None, help="keep state in this folder across restarts (default: a temporary one)"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="run the lab clock this many times faster than real time"
    )
    parser.add_argument(
        "--control-port",
        type=int,
        default=0,
        help="listen for the overview and admin API on this port (jupyter-server-proxy passes one); default: any free port",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when the program that started this one goes away (jupyter-server-proxy uses this)",
    )
    parser.add_argument(
        "--retry-policy",
        default="stripe",
        help="retry policy of the default webhook endpoint: none, stripe or standard",
    )
    return parser


def connection_details(lab: Any) -> dict[str, Any]:
    """What a client needs: URLs, keys, secrets, the admin token."""
    details: dict[str, Any] = lab.describe()
    for name, system in lab.systems.items():
        for attribute in ("api_key", "webhook_url"):
            value = getattr(system, attribute, None)
            if isinstance(value, str):
                details[name].setdefault(attribute, value)
    endpoint = getattr(lab.systems.get("payments"), "provisioning_endpoint", None)
    if isinstance(endpoint, dict) and endpoint.get("secret"):
        details["payments"].setdefault("webhook_secret", endpoint["secret"])
    return details


def write_secret(path: Path, text: str) -> None:
    """Write `text` readable by this user only: the file holds the API key, webhook secrets and admin token."""
    private_folder(path.parent)
    # Created 0600 from the first byte (a chmod after writing leaves a moment when others can read it),
    # and an existing file is narrowed too, since open() keeps the mode of a file that is already there.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(text)


def run(args: argparse.Namespace) -> int:

    if args.state_dir is not None:
        private_folder(Path(args.state_dir))  # its SQLite files hold the same secrets as serve.json
    try:
        lab = Lab(
            seed=args.seed,
            state_dir=args.state_dir,
            realtime=True,
            # The wall clock's time, as Stripe's: a developer's `expires_at` or `created[gte]` computed from
            # time.time() must mean what it says (on a state folder, never earlier than where the last run ended).
            start=datetime.now(timezone.utc),
            speed=args.speed,
            retry_policy=args.retry_policy,
            control_port=args.control_port,
            # jupyter-server-proxy passes the tile's key (see `simulators.proxy`); a terminal's lab draws its own.
            key=settings.lab_key(),
        )
    except (ServerError, ValueError) as exc:
        print(f"hooklab serve: {exc}", file=sys.stderr)
        return 1
    payments: Any = lab.systems.get("payments")
    if payments is not None:
        # The course's limit is tuned for polling lessons on the virtual clock; a
        # developer's sandbox gets Stripe's test-mode pace: about 25 requests a second.
        payments.rate_limit(per_minute=1500, burst=100, writes_per_minute=1500, writes_burst=100)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        details = connection_details(lab)
        path = settings.serve_file()
        write_secret(path, json.dumps(details, indent=2))
        if args.json:
            print(json.dumps(details), flush=True)
        else:
            print(_table(details), flush=True)
            print(f"\nDetails saved to {path}. Press Ctrl-C to stop.", flush=True)
        _wait(stop, watch_parent=args.exit_with_parent)
    finally:
        lab.stop()
        try:
            settings.serve_file().unlink()
        except FileNotFoundError:
            pass
    return 0


def _wait(stop: threading.Event, *, watch_parent: bool) -> None:
    """Until Ctrl-C or SIGTERM; with `watch_parent`, also until this process is orphaned.

    A Jupyter server that stops without stopping its proxied servers would
    otherwise leave a lab running, ports and all, for nobody.
    """
    parent = os.getppid()
    while not stop.wait(1.0 if watch_parent else None):
        if os.getppid() != parent:
            return


def _table(details: dict[str, Any]) -> str:
    lines = ["hooklab is running (real time)", ""]
    width = max(len(name) for name in details)
    for name, info in details.items():
        if not isinstance(info, dict) or "url" not in info:
            continue
        lines.append(f"  {name.ljust(width)}  {info['url']}")
        for key in ("api_key", "webhook_url", "webhook_secret", "admin_token"):
            if key in info:
                lines.append(f"  {''.ljust(width)}    {key}: {info[key]}")
    lines.append(f"\n  seed {details.get('seed')}, state in {details.get('state_dir')}")
    return "\n".join(lines)
