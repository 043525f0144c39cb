"""One JSON error shape, a request id on every response, 4xx for bad input."""

from __future__ import annotations

import pytest
import requests

from simulators import Lab


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "words"),
    [
        ("get", "/no/such/route", {}, 404, "Unrecognized request URL (GET: /no/such/route)"),
        ("delete", "/accounts", {}, 405, "DELETE is not allowed on /accounts; use GET"),
        (
            "post",
            "/accounts/activate",
            {"data": "{not json", "headers": {"Content-Type": "application/json"}},
            400,
            "JSON object",
        ),
        ("post", "/accounts/activate", {"json": {"customer": 42}}, 400, "customer is required"),
        ("post", "/accounts/activate", {"json": {"customer": "cus_1", "plan": ""}}, 400, "plan must be"),
        ("get", "/accounts?status=frozen", {}, 400, "status must be one of active, inactive"),
        ("get", "/accounts/acct_missing", {}, 404, "No such account"),
        ("post", "/accounts/activate", {"data": b"x" * (1024 * 1024 + 1)}, 413, "larger than the 1024 KB"),
    ],
)
def test_bad_input_gets_a_json_4xx_with_a_message(provisioning_lab: Lab, method, path, kwargs, status, words) -> None:
    response = getattr(requests, method)(provisioning_lab.provisioning.url + path, timeout=5, **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert words in error["message"]
    assert error["type"]
    assert response.headers["Request-Id"].startswith("req_")


def test_bad_input_loses_nothing(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    system.activate("cus_keep")
    for body in ({"customer": None}, {"plan": "pro"}, "junk", {"customer": "cus_x", "email": 5}):
        assert requests.post(system.url + "/accounts/activate", json=body, timeout=5).status_code == 400
    assert [a["customer"] for a in system.accounts()] == ["cus_keep"]


def test_every_response_has_a_distinct_request_id(provisioning_lab: Lab) -> None:
    url = provisioning_lab.provisioning.url
    ids = {requests.get(url + "/accounts", timeout=5).headers["Request-Id"] for _ in range(5)}
    ids.add(requests.get(url + "/nowhere", timeout=5).headers["Request-Id"])
    assert len(ids) == 6


def test_a_bug_is_a_json_500_that_says_it_is_a_bug(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning

    @system.app.get("/boom")
    def boom():  # a route with a bug in it, standing in for one we have not found yet
        raise KeyError("oops")

    response = requests.get(system.url + "/boom", timeout=5)
    assert response.status_code == 500
    assert "this is a bug" in response.json()["error"]["message"]
