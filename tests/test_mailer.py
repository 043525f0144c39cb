"""The mailer: every email and alert lands in its outbox, readable from Python and HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from simulators import Lab
from simulators.jsonapi import ClientError


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, systems=["mailer"]) as running:
        yield running


def post(lab: Lab, body: object) -> requests.Response:
    return requests.post(lab.mailer.url + "/messages", json=body, timeout=5)


def test_post_message_stores_it_with_the_lab_clock_time(lab: Lab) -> None:
    lab.advance(hours=3)
    response = post(lab, {"to": "ada@example.com", "subject": "Hello", "body": "Hi Ada", "tags": ["welcome"]})
    assert response.status_code == 201
    message = response.json()
    assert message["id"].startswith("msg_")
    assert message["created"] == lab.clock.timestamp() == int(lab.clock.start.timestamp()) + 3 * 3600
    assert (message["to"], message["kind"], message["from"], message["tags"]) == (
        "ada@example.com",
        "email",
        "hooklab@example.com",
        ["welcome"],
    )
    assert requests.get(f"{lab.mailer.url}/messages/{message['id']}", timeout=5).json() == message


def test_list_is_newest_first_and_filters_by_recipient_and_kind(lab: Lab) -> None:
    lab.mailer.send("ada@example.com", "first", "1")
    lab.mailer.send("bob@example.com", "second", "2")
    lab.mailer.send("ada@example.com", "third", "3", kind="alert")
    listing = requests.get(lab.mailer.url + "/messages", timeout=5).json()
    assert listing["object"] == "list" and listing["has_more"] is False
    assert [m["subject"] for m in listing["data"]] == ["third", "second", "first"]
    only_ada = requests.get(lab.mailer.url + "/messages", params={"to": "ada@example.com"}, timeout=5).json()["data"]
    assert [m["subject"] for m in only_ada] == ["third", "first"]
    alerts = requests.get(lab.mailer.url + "/messages", params={"kind": "alert"}, timeout=5).json()["data"]
    assert [m["subject"] for m in alerts] == ["third"]


def test_list_pages_with_limit_and_starting_after(lab: Lab) -> None:
    for n in range(5):
        lab.mailer.send("ada@example.com", f"m{n}")
    first = requests.get(lab.mailer.url + "/messages", params={"limit": 2}, timeout=5).json()
    assert [m["subject"] for m in first["data"]] == ["m4", "m3"] and first["has_more"] is True
    second = requests.get(
        lab.mailer.url + "/messages", params={"limit": 2, "starting_after": first["data"][-1]["id"]}, timeout=5
    ).json()
    assert [m["subject"] for m in second["data"]] == ["m2", "m1"]


def test_python_inbox_is_oldest_first_and_alerts_are_separate(lab: Lab) -> None:
    lab.mailer.send("ada@example.com", "one")
    lab.mailer.send("ops@example.com", "disk full", "details", kind="alert")
    lab.mailer.send("ada@example.com", "two")
    assert [m["subject"] for m in lab.mailer.inbox(to="ada@example.com")] == ["one", "two"]
    assert [m["subject"] for m in lab.mailer.alerts()] == ["disk full"]
    assert lab.mailer.alerts(to="ada@example.com") == []
    assert [m["subject"] for m in lab.mailer.inbox(kind="email")] == ["one", "two"]


def test_send_goes_over_http_and_shows_in_the_request_log(lab: Lab) -> None:
    lab.mailer.send("ada@example.com", "logged")
    entries = lab.mailer.requests.entries(path_prefix="/messages")
    assert [(e["method"], e["status"]) for e in entries] == [("POST", 201)]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"subject": "x"}, 400, "to is required"),
        ({"to": "not-an-address", "subject": "x"}, 400, "with an @"),
        ({"to": "a@b.c"}, 400, "subject is required"),
        ({"to": "a@b.c", "subject": "   "}, 400, "subject is required"),
        ({"to": "a@b.c", "subject": "x", "kind": "sms"}, 400, "kind must be one of email, alert"),
        ({"to": "a@b.c", "subject": "x", "body": 42}, 400, "body must be a string"),
        ({"to": "a@b.c", "subject": "x", "tags": "welcome"}, 400, "tags must be a list"),
        ({"to": "a@b.c", "subject": "x", "from": "nobody"}, 400, "from must be an email address"),
        ({"to": "a@b.c", "subject": "x", "cc": "b@c.d"}, 400, "unknown field 'cc'"),
        ({"to": "a@b.c", "subject": "x" * 301}, 400, "keep it under 300"),
        (["to", "a@b.c"], 400, "must be a JSON object"),
    ],
)
def test_bad_messages_get_a_4xx_that_says_what_is_wrong_and_store_nothing(
    lab: Lab, body: object, status: int, needle: str
) -> None:
    response = post(lab, body)
    assert response.status_code == status
    assert needle in response.json()["error"]["message"]
    assert lab.mailer.inbox() == []


def test_non_json_body_is_415_and_bad_query_values_are_400(lab: Lab) -> None:
    response = requests.post(
        lab.mailer.url + "/messages",
        data="to=a@b.c",
        timeout=5,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415 and "JSON" in response.json()["error"]["message"]
    for params, needle in (
        ({"limit": "0"}, "limit must be"),
        ({"limit": "abc"}, "limit must be"),
        ({"kind": "sms"}, "kind must be"),
        ({"starting_after": "msg_nope"}, "is not one"),
    ):
        answer = requests.get(lab.mailer.url + "/messages", params=params, timeout=5)
        assert answer.status_code == 400 and needle in answer.json()["error"]["message"]
    missing = requests.get(lab.mailer.url + "/messages/msg_nope", timeout=5)
    assert missing.status_code == 404 and "msg_nope" in missing.json()["error"]["message"]


def test_python_send_raises_the_api_message_on_bad_input(lab: Lab) -> None:
    with pytest.raises(ClientError, match="with an @"):
        lab.mailer.send("nobody", "x")


def test_route_alerts_mails_every_lab_alert_until_unsubscribed(lab: Lab) -> None:
    stop = lab.mailer.route_alerts(to="ops@example.com")
    lab.raise_alert("payments", "endpoint_disabled", "disabled http://127.0.0.1:1/hook", endpoint_id="we_1")
    alerts = lab.mailer.alerts(to="ops@example.com")
    assert len(alerts) == 1
    assert alerts[0]["subject"] == "[payments] endpoint_disabled: disabled http://127.0.0.1:1/hook"
    assert "endpoint_id: we_1" in alerts[0]["body"] and alerts[0]["kind"] == "alert"
    stop()
    lab.raise_alert("payments", "endpoint_disabled", "again")
    assert len(lab.mailer.alerts()) == 1


def test_an_alert_the_downed_mailer_cannot_take_is_kept_not_lost(lab: Lab) -> None:
    lab.mailer.route_alerts(to="ops@example.com")
    lab.mailer.faults.down()
    lab.raise_alert("crm", "delivery_failed", "gave up")
    lab.mailer.faults.up()
    assert lab.mailer.alerts() == []
    assert [(a["to"], a["subject"]) for a in lab.mailer.unsent_alerts] == [
        ("ops@example.com", "[crm] delivery_failed: gave up")
    ]


def test_route_alerts_refuses_a_non_address() -> None:
    with Lab(seed=1, systems=["mailer"]) as lab, pytest.raises(ValueError, match="email address"):
        lab.mailer.route_alerts(to="ops")


def test_same_seed_gives_the_same_message_ids() -> None:
    ids = []
    for _ in range(2):
        with Lab(seed=5, systems=["mailer"]) as lab:
            ids.append([lab.mailer.send("a@b.c", str(n))["id"] for n in range(3)])
    assert ids[0] == ids[1] and len(set(ids[0])) == 3
