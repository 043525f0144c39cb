"""Learner functions hosted as HTTP endpoints, and the boundary around them."""

from __future__ import annotations

import pytest
import requests

from simulators import Lab


def test_a_function_becomes_an_endpoint_with_a_url_and_a_request_log(provisioning_lab: Lab) -> None:
    got = []
    endpoint = provisioning_lab.host(
        lambda request: got.append((request.method, request.json)) or {"thanks": 1}, name="hello"
    )
    response = requests.post(endpoint.url + "/any/path", json={"a": 1}, timeout=5)
    assert response.json() == {"thanks": 1}
    assert got == [("POST", {"a": 1})]
    [entry] = endpoint.received()
    assert (entry["method"], entry["path"], entry["status"], entry["body"]) == ("POST", "/any/path", 200, '{"a": 1}')


@pytest.mark.parametrize(
    ("returned", "status", "body"),
    [
        (None, 200, {"received": True}),
        (204, 204, None),
        (503, 503, {"status": 503}),
        ({"ok": True}, 200, {"ok": True}),
        (({"late": True}, 202), 202, {"late": True}),
    ],
)
def test_what_a_handler_returns_becomes_the_answer(provisioning_lab: Lab, returned, status, body) -> None:
    endpoint = provisioning_lab.host(lambda request: returned, name="answer")
    response = requests.post(endpoint.url, data="x", timeout=5)
    assert response.status_code == status
    if body is not None:
        assert response.json() == body


def test_a_handler_that_raises_gives_a_500_with_the_error_recorded_and_the_lab_goes_on(provisioning_lab: Lab) -> None:
    def broken(request):
        return request.json["missing"]

    endpoint = provisioning_lab.host(broken)
    response = requests.post(endpoint.url, json={}, timeout=5)
    assert response.status_code == 500
    assert "your handler raised KeyError" in response.json()["error"]["message"]
    [failure] = endpoint.failures
    assert "KeyError" in failure.error and "return request.json" in failure.traceback
    assert "Traceback" in endpoint.received()[0]["error"]
    assert requests.get(provisioning_lab.provisioning.url + "/accounts", timeout=5).status_code == 200
    endpoint.replace(lambda request: None)
    assert requests.post(endpoint.url, json={}, timeout=5).status_code == 200


@pytest.mark.parametrize("garbage", [True, object(), 1000, ("body", "200"), [1, object()]])
def test_garbage_returns_are_explained_not_crashed_on(provisioning_lab: Lab, garbage) -> None:
    endpoint = provisioning_lab.host(lambda request: garbage, name="garbage")
    response = requests.post(endpoint.url, data="x", timeout=5)
    assert response.status_code == 500
    assert response.json()["error"]["message"]
    assert endpoint.failures


def test_hosting_the_same_name_again_keeps_the_url(provisioning_lab: Lab) -> None:
    first = provisioning_lab.host(lambda request: {"v": 1}, name="swap")
    second = provisioning_lab.host(lambda request: {"v": 2}, name="swap")
    assert first is second
    assert requests.get(first.url, timeout=5).json() == {"v": 2}


def test_endpoint_names_are_checked(provisioning_lab: Lab) -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        provisioning_lab.host(lambda request: None, name="no spaces please")
