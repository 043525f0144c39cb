"""`hooklab trigger <event-type>`: make the real objects that cause an event, like `stripe trigger`.

The steps come from `fixtures.FIXTURES` and go over the payment system's own
`/v1` API, so every endpoint listening gets real, signed deliveries. Before
running, each step's route is asked for (OPTIONS): a fixture whose routes the
system does not serve yet says so and changes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

import requests

from ..payments.client import PaymentsClient, PaymentsError
from ..payments.connection import ConnectionMissing, connect
from .fixtures import FIXTURES, Fixture, Step

_REFERENCE = re.compile(r"\$\{([a-z0-9_]+):([a-z0-9_.]+)\}")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "trigger",
        help="create the objects that cause a payment event (like `stripe trigger`)",
        description="Create, over the payment system's API, the real objects that cause EVENT, so every webhook "
        "endpoint listening to it gets a delivery. Connects to --api-base/--api-key, else HOOKLAB_API_BASE/"
        "HOOKLAB_API_KEY, else the details `hooklab serve` saved.",
    )
    parser.add_argument(
        "event",
        metavar="EVENT",
        nargs="?",
        help=f"an event type, such as payment_intent.succeeded ({len(FIXTURES)} fixtures; --list shows them)",
    )
    parser.add_argument(
        "--list", action="store_true", help="list every fixture and whether the system serves its routes"
    )
    parser.add_argument("--api-base", default=None, help="the payment system's URL")
    parser.add_argument("--api-key", default=None, help="its API key (sk_test_…)")
    return parser


def missing_routes(
    api: PaymentsClient, fixture: Fixture, known: dict[tuple[str, str], bool] | None = None
) -> list[str]:
    """The `METHOD /path` of each step the system does not serve (`known` caches answers across fixtures)."""
    known = {} if known is None else known
    missing = []
    for step in fixture.steps:
        probe = _REFERENCE.sub("probe", step.path)
        key = (step.method, probe)
        if key not in known:
            known[key] = api.allows(step.method, probe)
        if not known[key]:
            missing.append(f"{step.method} {step.path}")
    return list(dict.fromkeys(missing))


def run_fixture(api: PaymentsClient, fixture: Fixture) -> dict[str, Any]:
    """Run every step in order; return each step's answer by name."""
    made: dict[str, Any] = {}
    for step in fixture.steps:
        made[step.name] = _call(api, step, made)
    return made


def _call(api: PaymentsClient, step: Step, made: dict[str, Any]) -> Any:
    path = str(_resolve(step.path, made))
    try:
        return api.request(step.method, path, _resolve(step.params, made))
    except PaymentsError as exc:
        if not (step.declines and exc.status == 402):
            raise
        # A decline answers with the object it failed on inside the error, and the fixture goes on with it.
        for kind in ("payment_intent", "setup_intent"):
            if kind in exc.error:
                return exc.error[kind]
        return exc.error


def _resolve(value: Any, made: dict[str, Any]) -> Any:
    """`${name:field}` replaced by that field of step `name`'s answer (a whole-string reference keeps its type)."""
    if isinstance(value, dict):
        return {key: _resolve(item, made) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, made) for item in value]
    if not isinstance(value, str):
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _field(made, whole.group(1), whole.group(2))
    return _REFERENCE.sub(lambda m: str(_field(made, m.group(1), m.group(2))), value)


def _field(made: dict[str, Any], name: str, path: str) -> Any:
    found: Any = made[name]
    for part in path.split("."):
        found = found[int(part)] if isinstance(found, list) else found[part]
    if isinstance(found, dict) and "id" in found:  # an expanded object stands for its id
        return found["id"]
    return found


def newest_event(api: PaymentsClient) -> str | None:
    data = api.get("/v1/events", limit=1)["data"]
    return str(data[0]["id"]) if data else None


def events_since(api: PaymentsClient, cursor: str | None) -> list[dict[str, Any]]:
    """Every event made after the event `cursor` (all of them when None), oldest first."""
    found: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": 100}
        if cursor is not None:
            params["ending_before"] = cursor
        page = api.get("/v1/events", **params)["data"]
        if not page:
            return found
        found.extend(reversed(page))
        cursor = str(page[0]["id"])


def _caused(api: PaymentsClient, before: str | None, event_type: str) -> list[dict[str, Any]]:
    """The events the steps caused, waiting a little for one a clock job sends after its call answers."""
    caused = events_since(api, before)
    for pause in (0.1, 0.4, 1.0, 2.0):
        if any(event["type"] == event_type for event in caused):
            break
        time.sleep(pause)
        caused = events_since(api, before)
    return caused


def run(args: argparse.Namespace) -> int:
    if not args.list and args.event is None:
        print("hooklab trigger: name an EVENT, or pass --list", file=sys.stderr)
        return 2
    fixture = FIXTURES.get(args.event) if args.event else None
    if not args.list and fixture is None:
        print(
            f"hooklab trigger: unknown event {args.event!r}; one of:\n  " + "\n  ".join(sorted(FIXTURES)),
            file=sys.stderr,
        )
        return 2
    try:
        api = connect(args.api_base, args.api_key)
    except ConnectionMissing as exc:
        print(f"hooklab trigger: {exc}", file=sys.stderr)
        return 1
    try:
        return _list(api) if args.list else _trigger(api, fixture) if fixture else 2
    except PaymentsError as exc:
        print(f"hooklab trigger: the payment system refused a step: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"hooklab trigger: cannot reach the payment system at {api.url}: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()


def _list(api: PaymentsClient) -> int:
    known: dict[tuple[str, str], bool] = {}
    width = max(len(name) for name in FIXTURES)
    ready = 0
    for name in sorted(FIXTURES):
        missing = missing_routes(api, FIXTURES[name], known)
        ready += not missing
        state = "available" if not missing else f"not available yet (needs {', '.join(missing)})"
        print(f"  {name.ljust(width)}  {state}")
    print(f"{ready} of {len(FIXTURES)} fixtures available")
    return 0


def _trigger(api: PaymentsClient, fixture: Fixture) -> int:
    missing = missing_routes(api, fixture)
    if missing:
        print(
            f"hooklab trigger: {fixture.event} is not available yet: the payment system does not serve "
            f"{', '.join(missing)}",
            file=sys.stderr,
        )
        return 1
    before = newest_event(api)
    for step in fixture.steps:
        print(f"Setting up fixture for: {step.name}")
    made = run_fixture(api, fixture)
    for name, answer in made.items():
        object_id = answer.get("id") if isinstance(answer, dict) else None
        if object_id:
            print(f"  {name:<22} {object_id}")
    caused = _caused(api, before, fixture.event)
    for event in caused:
        print(f"  --> {event['type']} [{event['id']}]")
    latest = [event["id"] for event in caused if event["type"] == fixture.event]
    print(f"Trigger succeeded: {fixture.event} ({latest[-1] if latest else 'no such event'})")
    return 0
