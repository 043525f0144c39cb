"""The CRM: contacts, tasks, the web form, and Standard Webhooks for what happens."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from simulators import Lab
from simulators.jsonapi import ClientError
from simulators.learner import WebhookRequest


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=3, systems=["mailer", "crm"]) as running:
        yield running


class Receiver:
    """A hosted endpoint that keeps every request it gets."""

    def __init__(self, lab: Lab, name: str = "receiver") -> None:
        self.requests: list[WebhookRequest] = []
        self.status = 200
        self.endpoint = lab.host(self, name=name)

    def __call__(self, request: WebhookRequest) -> int:
        self.requests.append(request)
        return self.status

    @property
    def url(self) -> str:
        return self.endpoint.url


def call(lab: Lab, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
    return requests.request(method, lab.crm.url + path, json=body, timeout=5, **kwargs)


# -- contacts -------------------------------------------------------------


def test_contacts_create_read_update_delete(lab: Lab) -> None:
    created = call(lab, "POST", "/contacts", {"email": "ada@example.com", "name": "Ada", "company": "Engines"})
    assert created.status_code == 201
    contact = created.json()
    assert contact["id"].startswith("con_") and contact["created"] == lab.clock.timestamp()
    assert call(lab, "GET", f"/contacts/{contact['id']}").json() == contact
    patched = call(lab, "PATCH", f"/contacts/{contact['id']}", {"company": "Analytical Engines"}).json()
    assert patched["company"] == "Analytical Engines" and patched["name"] == "Ada"
    deleted = call(lab, "DELETE", f"/contacts/{contact['id']}")
    assert deleted.json() == {"id": contact["id"], "object": "contact", "deleted": True}
    assert call(lab, "GET", f"/contacts/{contact['id']}").status_code == 404
    assert lab.crm.contacts() == []


def test_contacts_filter_by_email_case_insensitively(lab: Lab) -> None:
    lab.crm.create_contact("ada@example.com", name="Ada")
    lab.crm.create_contact("bob@example.com", name="Bob")
    found = call(lab, "GET", "/contacts", params={"email": "ADA@example.com"}).json()
    assert [c["name"] for c in found["data"]] == ["Ada"]
    assert [c["name"] for c in call(lab, "GET", "/contacts").json()["data"]] == ["Bob", "Ada"]
    assert [c["name"] for c in lab.crm.contacts(email="bob@EXAMPLE.com")] == ["Bob"]


def test_a_second_contact_with_the_same_email_is_a_409_naming_the_first(lab: Lab) -> None:
    first = lab.crm.create_contact("ada@example.com")
    answer = call(lab, "POST", "/contacts", {"email": "Ada@Example.com"})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "contact_exists" and error["contact"] == first["id"] and first["id"] in error["message"]
    with pytest.raises(ClientError) as raised:  # a client-side error, never the server's ApiError
        lab.crm.create_contact("ada@example.com")
    assert raised.value.status == 409 and raised.value.error["contact"] == first["id"]
    assert raised.value.code == "contact_exists" and raised.value.response.status_code == 409
    assert len(lab.crm.contacts()) == 1


# -- tasks ----------------------------------------------------------------


def test_tasks_are_created_filtered_and_completed(lab: Lab) -> None:
    ada = lab.crm.create_contact("ada@example.com")
    call_ada = lab.crm.create_task("Call Ada", contact=ada["id"], due="2026-03-09")
    lab.crm.create_task("Tidy the CRM")
    assert call_ada["status"] == "open" and call_ada["completed_at"] is None
    by_contact = call(lab, "GET", "/tasks", params={"contact": ada["id"]}).json()["data"]
    assert [t["title"] for t in by_contact] == ["Call Ada"]
    lab.advance(hours=2)
    done = call(lab, "PATCH", f"/tasks/{call_ada['id']}", {"status": "done"}).json()
    assert done["status"] == "done" and done["completed_at"] == lab.clock.timestamp()
    assert [t["title"] for t in call(lab, "GET", "/tasks", params={"status": "open"}).json()["data"]] == [
        "Tidy the CRM"
    ]
    assert [t["title"] for t in lab.crm.tasks(status="done")] == ["Call Ada"]


# -- the web form ---------------------------------------------------------


def test_the_form_page_is_html_with_the_four_fields(lab: Lab) -> None:
    page = call(lab, "GET", "/form")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for field in ("name", "email", "company", "message"):
        assert f'name="{field}"' in page.text
    assert 'method="post"' in page.text


def test_a_browser_submission_is_stored_and_thanked_in_html(lab: Lab) -> None:
    answer = requests.post(
        lab.crm.url + "/form", data={"name": "Ada", "email": "ada@example.com", "company": ""}, timeout=5
    )
    assert answer.status_code == 201 and "Thank you, Ada!" in answer.text
    [submission] = lab.crm.submissions()
    assert submission["id"] in answer.text
    assert (submission["email"], submission["company"], submission["message"]) == ("ada@example.com", None, None)


def test_a_submission_without_email_is_still_stored_and_sent_with_email_null(lab: Lab) -> None:
    receiver = Receiver(lab)
    lab.crm.add_endpoint(receiver.url)
    submission = lab.crm.submit_form(name="No Email", message="call me")
    lab.settle()
    assert submission["email"] is None and lab.crm.submissions() == [submission]
    [request] = receiver.requests
    assert request.json["data"]["email"] is None and request.json["data"]["name"] == "No Email"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "needle"),
    [
        ("POST", "/contacts", {"name": "Ada"}, 400, "email is required"),
        ("POST", "/contacts", {"email": "ada"}, 400, "with an @"),
        ("POST", "/contacts", {"email": "a@b.c", "phone": "1"}, 400, "unknown field 'phone'"),
        ("POST", "/contacts", {"email": "a@b.c", "name": 5}, 400, "name must be a string"),
        ("POST", "/contacts", [1, 2], 400, "must be a JSON object"),
        ("PATCH", "/contacts/con_nope", {"name": "x"}, 404, "No such contact"),
        ("GET", "/contacts?limit=500", None, 400, "limit must be"),
        ("POST", "/tasks", {"contact": "con_x"}, 400, "title is required"),
        ("POST", "/tasks", {"title": "x", "contact": "con_nope"}, 400, "does not exist"),
        ("POST", "/tasks", {"title": "x", "due": "next week"}, 400, "due must be an ISO date"),
        ("POST", "/tasks", {"title": "x", "status": "later"}, 400, "status must be one of open, done"),
        ("GET", "/tasks?status=later", None, 400, "status must be one of"),
        ("PATCH", "/tasks/task_nope", {"status": "done"}, 404, "No such task"),
        ("POST", "/form", {}, 400, "the form is empty"),
        ("POST", "/form", {"email": ["a@b.c"]}, 400, "email must be a string"),
        ("POST", "/form", {"name": "x", "phone": "1"}, 400, "unknown field 'phone'"),
        ("POST", "/webhook_endpoints", {"events": ["form.submitted"]}, 400, "url is required"),
        ("POST", "/webhook_endpoints", {"url": "ftp://127.0.0.1/x"}, 400, "http:// or https://"),
        ("POST", "/webhook_endpoints", {"url": "http://example.com/hook"}, 400, "only delivers to this machine"),
        (
            "POST",
            "/webhook_endpoints",
            {"url": "http://127.0.0.1:9/x", "events": ["form.sent"]},
            400,
            "unknown event type 'form.sent'",
        ),
        (
            "POST",
            "/webhook_endpoints",
            {"url": "http://127.0.0.1:9/x", "retry_policy": "forever"},
            400,
            "retry_policy must be",
        ),
        ("GET", "/events?type=nope", None, 400, "unknown event type"),
        ("GET", "/events/evt_nope", None, 404, "No such event"),
        ("DELETE", "/webhook_endpoints/ep_nope", None, 404, "No such webhook endpoint"),
        ("PUT", "/contacts", {}, 405, "PUT is not allowed"),
    ],
)
def test_bad_input_gets_a_4xx_json_error_that_says_what_is_wrong(
    lab: Lab, method: str, path: str, body: Any, status: int, needle: str
) -> None:
    answer = call(lab, method, path, body)
    assert answer.status_code == status, answer.text
    assert needle in answer.json()["error"]["message"]
    assert lab.crm.contacts() == [] and lab.crm.tasks() == [] and lab.crm.submissions() == [] and lab.crm.events() == []


def test_non_json_bodies_are_415(lab: Lab) -> None:
    for path in ("/contacts", "/tasks", "/webhook_endpoints"):
        answer = requests.post(
            lab.crm.url + path, data="email=a@b.c", timeout=5, headers={"Content-Type": "text/plain"}
        )
        assert answer.status_code == 415 and "JSON" in answer.json()["error"]["message"]
    form = requests.post(lab.crm.url + "/form", data="name=Ada", timeout=5, headers={"Content-Type": "text/plain"})
    assert form.status_code == 415 and "x-www-form-urlencoded" in form.json()["error"]["message"]


# -- webhooks -------------------------------------------------------------


def test_endpoint_secret_is_a_standard_webhooks_secret_shown_only_once(lab: Lab) -> None:
    endpoint = lab.crm.add_endpoint("http://127.0.0.1:9/hook")
    secret = endpoint["secret"]
    assert secret.startswith("whsec_") and 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 32
    assert endpoint["retry_policy"] == "standard" and endpoint["events"] == ["form.submitted"]
    assert "secret" not in call(lab, "GET", f"/webhook_endpoints/{endpoint['id']}").json()
    assert all("secret" not in e for e in call(lab, "GET", "/webhook_endpoints").json()["data"])
    other = lab.crm.add_endpoint("http://127.0.0.1:9/other")
    assert other["secret"] != secret


def test_form_submission_is_delivered_signed_and_verifies_with_standardwebhooks(lab: Lab) -> None:
    receiver = Receiver(lab)
    endpoint = lab.crm.add_endpoint(receiver.url, events=["form.submitted"])
    submission = lab.crm.submit_form(name="Ada", email="ada@example.com", company="Engines", message="Hi")
    lab.settle()
    [request] = receiver.requests
    event = Webhook(endpoint["secret"]).verify(request.body, dict(request.headers))
    assert event["type"] == "form.submitted" and event["data"] == submission
    assert event["id"].startswith("evt_") and request.headers["webhook-id"] == event["id"]
    assert event["timestamp"] == "2026-03-02T09:00:00Z"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert lab.crm.events(type="form.submitted") == [event]
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(request.body.replace(b"Ada", b"Eve"), dict(request.headers))


def test_endpoints_get_only_the_events_they_subscribed_to(lab: Lab) -> None:
    forms, everything = Receiver(lab, "forms"), Receiver(lab, "everything")
    lab.crm.add_endpoint(forms.url, events=["form.submitted"])
    lab.crm.add_endpoint(everything.url, events=["*"])
    lab.crm.submit_form(email="ada@example.com")
    contact = lab.crm.create_contact("ada@example.com")
    task = lab.crm.create_task("Call Ada", contact=contact["id"])
    lab.crm.complete_task(task["id"])
    lab.settle()
    assert [r.json["type"] for r in forms.requests] == ["form.submitted"]
    assert [r.json["type"] for r in everything.requests] == [
        "form.submitted",
        "contact.created",
        "task.created",
        "task.completed",
    ]
    assert everything.requests[1].json["data"]["id"] == contact["id"]


def test_a_deleted_endpoint_gets_nothing_more(lab: Lab) -> None:
    receiver = Receiver(lab)
    endpoint = lab.crm.add_endpoint(receiver.url)
    lab.crm.delete_endpoint(endpoint["id"])
    lab.crm.submit_form(email="ada@example.com")
    lab.settle()
    assert receiver.requests == [] and lab.crm.endpoints() == []


def test_failed_deliveries_retry_on_the_standard_schedule_with_the_same_webhook_id(lab: Lab) -> None:
    receiver = Receiver(lab)
    receiver.status = 503
    endpoint = lab.crm.add_endpoint(receiver.url)
    lab.crm.submit_form(email="ada@example.com")
    lab.settle()
    lab.advance(minutes=40)  # covers the retries after 5 s, 5 min and 30 min
    receiver.status = 200
    lab.advance(hours=3)  # the next one comes about 2 h later
    attempts = lab.crm.outbox.attempts()
    gaps = [b["at"] - a["at"] for a, b in zip(attempts, attempts[1:], strict=False)]
    assert [a["outcome"] for a in attempts] == ["failed", "failed", "failed", "failed", "succeeded"]
    for gap, planned in zip(gaps, (5, 300, 1800, 7200), strict=True):
        assert planned * 0.9 <= gap <= planned * 1.1, (gaps, planned)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1 and len(receiver.requests) == 5
    for request in receiver.requests:
        Webhook(endpoint["secret"]).verify(request.body, dict(request.headers))
    over_http = call(lab, "GET", f"/events/{attempts[0]['event_id']}/attempts").json()["data"]
    assert [a["status"] for a in over_http] == [503, 503, 503, 503, 200]


def test_a_downed_endpoint_is_retried_and_giving_up_raises_an_alert(lab: Lab) -> None:
    receiver = Receiver(lab)
    lab.crm.add_endpoint(receiver.url)
    receiver.endpoint.faults.down()
    lab.mailer.route_alerts(to="ops@example.com")
    lab.crm.submit_form(email="ada@example.com")
    lab.settle()
    lab.advance(days=4)
    attempts = lab.crm.outbox.attempts()
    assert len(attempts) == 10 and {a["error"] for a in attempts} == {"connection refused"}
    assert lab.crm.outbox.deliveries()[0]["status"] == "failed"
    [alert] = [a for a in lab.alerts if a.kind == "delivery_failed"]
    assert alert.source == "crm" and "after 10 attempts" in alert.message
    assert [m["subject"].split(":")[0] for m in lab.mailer.alerts(to="ops@example.com")] == ["[crm] delivery_failed"]


def test_resend_delivers_an_event_again_with_the_same_id(lab: Lab) -> None:
    receiver = Receiver(lab)
    lab.crm.add_endpoint(receiver.url)
    lab.crm.submit_form(email="ada@example.com")
    lab.settle()
    event_id = receiver.requests[0].json["id"]
    answer = call(lab, "POST", f"/events/{event_id}/resend")
    assert answer.status_code == 200
    lab.settle()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event_id, event_id]


def test_the_sent_bytes_are_the_signed_bytes(lab: Lab) -> None:
    receiver = Receiver(lab)
    endpoint = lab.crm.add_endpoint(receiver.url)
    lab.crm.submit_form(name="Zoë", email="zoe@example.com")
    lab.settle()
    body = receiver.requests[0].body
    assert json.loads(body)["data"]["name"] == "Zoë"
    parsed_and_reserialised = json.dumps(json.loads(body)).encode()
    with pytest.raises(WebhookVerificationError):  # the lesson: verify the raw body, never a re-encoded one
        Webhook(endpoint["secret"]).verify(parsed_and_reserialised, dict(receiver.requests[0].headers))


def test_same_seed_gives_the_same_ids_and_secrets() -> None:
    seen = []
    for _ in range(2):
        with Lab(seed=21, systems=["crm"]) as lab:
            endpoint = lab.crm.add_endpoint("http://127.0.0.1:9/x")
            seen.append(
                (
                    endpoint["id"],
                    endpoint["secret"],
                    lab.crm.submit_form(email="a@b.c")["id"],
                    lab.crm.events()[0]["id"],
                )
            )
    assert seen[0] == seen[1]
