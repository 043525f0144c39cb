"""Each fault kind, checked where a client meets it: at the socket and over HTTP."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import requests

from simulators import Lab


def _connect(port: int) -> None:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_down_really_refuses_connections_and_up_listens_on_the_same_port(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    port = system.port
    with requests.Session() as session:  # a pooled keep-alive connection must not survive the outage
        assert session.get(system.url + "/accounts", timeout=5).status_code == 200
        system.faults.down()
        with pytest.raises(ConnectionRefusedError):
            _connect(port)
        with pytest.raises(requests.ConnectionError):
            session.get(system.url + "/accounts", timeout=5)
        system.faults.up()
        assert system.port == port
        _connect(port)
        assert session.get(system.url + "/accounts", timeout=5).status_code == 200


def test_errors_answer_the_status_without_doing_the_work(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    system.faults.errors(rate=1.0, status=429, retry_after=30)
    response = requests.post(system.url + "/accounts/activate", json={"customer": "cus_x"}, timeout=5)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Request-Id"].startswith("req_")
    assert response.json()["error"]["code"] == "injected_fault"
    assert system.accounts() == []
    assert system.requests.entries()[-1]["fault"] == "errors"


def test_an_error_rate_strikes_about_that_share_of_requests(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    system.faults.errors(rate=0.3, status=500)
    with requests.Session() as session:
        statuses = [session.get(system.url + "/accounts", timeout=5).status_code for _ in range(200)]
    assert 30 <= statuses.count(500) <= 90
    assert set(statuses) == {200, 500}


def test_slow_answers_later_than_an_impatient_client_waits(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    system.faults.slow(seconds=0.5)
    with pytest.raises(requests.ReadTimeout):
        requests.get(system.url + "/accounts", timeout=0.15)
    assert requests.get(system.url + "/accounts", timeout=5).status_code == 200


def test_fail_after_work_does_the_work_then_answers_500(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    system.faults.fail_after_work()
    response = requests.post(system.url + "/accounts/activate", json={"customer": "cus_done"}, timeout=5)
    assert response.status_code == 500
    assert "did the work" in response.json()["error"]["message"]
    assert [a["customer"] for a in system.accounts()] == ["cus_done"]


def test_a_scheduled_window_switches_on_and_off_on_the_lab_clock(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    start = provisioning_lab.clock.now() + timedelta(days=21)
    system.faults.window("down", start=start, hours=6)
    provisioning_lab.advance(days=21, hours=1)
    with pytest.raises(ConnectionRefusedError):
        _connect(system.port)
    provisioning_lab.advance(hours=6)
    _connect(system.port)
    [window] = system.faults.windows
    assert (window.kind, window.end - window.start) == ("down", 6 * 3600)


def test_learner_endpoints_take_the_same_faults(provisioning_lab: Lab) -> None:
    endpoint = provisioning_lab.host(lambda request: {"ok": True}, name="mine")
    endpoint.faults.errors(rate=1.0, status=502)
    assert requests.post(endpoint.url, json={}, timeout=5).status_code == 502
    endpoint.faults.clear()
    endpoint.faults.down()
    with pytest.raises(ConnectionRefusedError):
        _connect(endpoint.port)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: f.errors(rate=1.5), "between 0 and 1"),
        (lambda f: f.errors(status=200), "4xx or 5xx"),
        (lambda f: f.slow(seconds=0), "positive"),
        (lambda f: f.set("flood"), "unknown fault"),
        (lambda f: f.window("down", start=0, end=0), "end after"),
    ],
)
def test_nonsense_fault_settings_are_refused_with_a_reason(provisioning_lab: Lab, call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(provisioning_lab.provisioning.faults)


class TestAdminApi:
    def _auth(self, lab: Lab) -> dict[str, str]:
        return {"Authorization": f"Bearer {lab.admin_token}"}

    def test_refuses_without_the_token(self, provisioning_lab: Lab) -> None:
        for headers in ({}, {"Authorization": "Bearer hl_admin_wrong"}):
            response = requests.post(
                provisioning_lab.url + "/admin/systems/provisioning/faults",
                json={"kind": "down"},
                headers=headers,
                timeout=5,
            )
            assert response.status_code == 401
            assert "admin token" in response.json()["error"]["message"]
        assert not provisioning_lab.provisioning.faults.is_down

    def test_switches_each_fault_kind(self, provisioning_lab: Lab) -> None:
        url = provisioning_lab.url + "/admin/systems/provisioning/faults"
        auth = self._auth(provisioning_lab)
        port = provisioning_lab.provisioning.port
        assert requests.post(url, json={"kind": "down"}, headers=auth, timeout=5).status_code == 200
        with pytest.raises(ConnectionRefusedError):
            _connect(port)
        assert requests.delete(url, params={"kind": "down"}, headers=auth, timeout=5).status_code == 200
        _connect(port)
        requests.post(url, json={"kind": "errors", "rate": 1, "status": 503}, headers=auth, timeout=5)
        assert requests.get(provisioning_lab.provisioning.url + "/accounts", timeout=5).status_code == 503
        requests.delete(url, headers=auth, timeout=5)
        requests.post(url, json={"kind": "slow", "seconds": 0.5}, headers=auth, timeout=5)
        with pytest.raises(requests.ReadTimeout):
            requests.get(provisioning_lab.provisioning.url + "/accounts", timeout=0.15)
        requests.delete(url, headers=auth, timeout=5)
        requests.post(url, json={"kind": "fail_after_work"}, headers=auth, timeout=5)
        response = requests.post(
            provisioning_lab.provisioning.url + "/accounts/activate", json={"customer": "cus_a"}, timeout=5
        )
        assert response.status_code == 500 and provisioning_lab.provisioning.accounts()
        status = requests.get(url, headers=auth, timeout=5).json()
        assert set(status["active"]) == {"fail_after_work"}

    def test_schedules_windows_and_moves_the_clock(self, provisioning_lab: Lab) -> None:
        auth = self._auth(provisioning_lab)
        start = provisioning_lab.clock.timestamp() + 3600
        response = requests.post(
            provisioning_lab.url + "/admin/systems/provisioning/faults/windows",
            json={"kind": "down", "start": start, "hours": 2},
            headers=auth,
            timeout=5,
        )
        assert response.status_code == 200, response.text
        moved = requests.post(
            provisioning_lab.url + "/admin/clock/advance", json={"minutes": 90}, headers=auth, timeout=5
        )
        assert moved.status_code == 200
        assert provisioning_lab.provisioning.faults.is_down

    @pytest.mark.parametrize(
        ("method", "path", "body", "status", "words"),
        [
            ("post", "/admin/systems/provisioning/faults", {"kind": "flood"}, 400, "kind must be one of"),
            ("post", "/admin/systems/provisioning/faults", {"kind": "errors", "rate": 7}, 400, "between 0 and 1"),
            ("post", "/admin/systems/provisioning/faults", {"kind": "errors", "colour": "red"}, 400, "colour"),
            ("post", "/admin/systems/bank/faults", {"kind": "down"}, 404, "no system or endpoint named 'bank'"),
            ("post", "/admin/systems/provisioning/faults/windows", {"kind": "down", "start": "soon"}, 400, "ISO 8601"),
            ("post", "/admin/clock/advance", {"weeks": 1}, 400, "not weeks"),
            ("post", "/admin/clock/advance", {"days": -1}, 400, "zero or more"),
            ("post", "/admin/systems/provisioning/faults", ["down"], 400, "JSON object"),
        ],
    )
    def test_bad_requests_get_a_4xx_that_says_what_was_wrong(
        self, provisioning_lab: Lab, method, path, body, status, words
    ) -> None:
        response = getattr(requests, method)(
            provisioning_lab.url + path, json=body, headers=self._auth(provisioning_lab), timeout=5
        )
        assert response.status_code == status
        assert words in response.json()["error"]["message"]


def test_a_slow_window_takes_its_delay_in_params(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    system.faults.window(
        "slow", start=provisioning_lab.clock.now() + timedelta(hours=1), hours=1, params={"seconds": 0.5}
    )
    provisioning_lab.advance(minutes=90)
    assert system.faults.active() == {"slow": {"seconds": 0.5, "rate": 1.0}}
    with pytest.raises(requests.ReadTimeout):
        requests.get(system.url + "/accounts", timeout=0.15)
    provisioning_lab.advance(hours=1)
    assert system.faults.active() == {}


# -- settings are checked when given: a 400 naming the field, and nothing changed ----------------------

FAULTS = "/admin/systems/provisioning/faults"
WINDOWS = "/admin/systems/provisioning/faults/windows"


def _start(lab: Lab) -> int:
    return lab.clock.timestamp() + 3600


#: (path, JSON text, the field the 400 must name). Raw text, since NaN is not JSON most encoders write.
BAD_SETTINGS = [
    (FAULTS, '{"kind": "down", "rate": 0.5}', "rate"),
    (FAULTS, '{"kind": "errors", "rate": "0.5"}', "rate"),
    (FAULTS, '{"kind": "errors", "rate": true}', "rate"),
    (FAULTS, '{"kind": "errors", "status": 429.5}', "status"),
    (FAULTS, '{"kind": "errors", "status": "abc"}', "status"),
    (FAULTS, '{"kind": "errors", "status": 200}', "status"),
    (FAULTS, '{"kind": "errors", "status": 999}', "status"),
    (FAULTS, '{"kind": "errors", "status": 429, "retry_after": "x"}', "retry_after"),
    (FAULTS, '{"kind": "errors", "status": 429, "retry_after": "1\\r\\nSet-Cookie: pwn=1"}', "retry_after"),
    (FAULTS, '{"kind": "errors", "status": 429, "retry_after": -5}', "retry_after"),
    (FAULTS, '{"kind": "slow", "seconds": true}', "seconds"),
    (FAULTS, '{"kind": "slow", "seconds": NaN}', "seconds"),
    (FAULTS, '{"kind": "slow", "seconds": Infinity}', "seconds"),
    (FAULTS, '{"kind": "slow", "seconds": 1, "rate": NaN}', "rate"),
    (FAULTS, '{"kind": "fail_after_work", "status": 999}', "status"),
    (FAULTS, '{"kind": "fail_after_work", "status": 200}', "status"),
    (FAULTS, '{"kind": "fail_after_work", "status": 404}', "status"),
    (FAULTS, '{"kind": "fail_after_work", "rate": 5}', "rate"),
    (WINDOWS, '{"kind": "errors", "start": START, "hours": 1, "status": 999}', "status"),
    (WINDOWS, '{"kind": "errors", "start": START, "hours": 1, "rate": 5}', "rate"),
    (WINDOWS, '{"kind": "errors", "start": START, "hours": 1, "retry_after": "1\\r\\nX: y"}', "retry_after"),
    (WINDOWS, '{"kind": "slow", "start": START, "hours": 1, "params": {"seconds": NaN}}', "seconds"),
    (WINDOWS, '{"kind": "fail_after_work", "start": START, "hours": 1, "status": 200}', "status"),
    (WINDOWS, '{"kind": "down", "start": START, "days": 1e308}', "days"),
    (WINDOWS, '{"kind": "down", "start": START, "hours": NaN}', "hours"),
    (WINDOWS, '{"kind": "down", "start": NaN, "hours": 1}', "start"),
    (WINDOWS, '{"kind": "down", "start": 1e300, "hours": 1}', "start"),
    (WINDOWS, '{"kind": "down", "start": START, "end": 1e300}', "end"),
    ("/admin/clock/advance", '{"seconds": NaN}', "seconds"),
    ("/admin/clock/advance", '{"days": 1e308}', "days"),
    ("/admin/clock/advance", '{"hours": Infinity}', "hours"),
]


@pytest.mark.parametrize(
    ("path", "text", "field"), BAD_SETTINGS, ids=[f"{p.rsplit('/', 1)[1]}:{t}" for p, t, _ in BAD_SETTINGS]
)
def test_a_bad_setting_is_a_400_naming_the_field_and_changes_nothing(
    provisioning_lab: Lab, path: str, text: str, field: str
) -> None:
    system = provisioning_lab.provisioning
    before = (system.faults.active(), list(system.faults.scheduled), len(provisioning_lab.clock.pending()))
    now = provisioning_lab.clock.time()
    response = requests.post(
        provisioning_lab.url + path,
        data=text.replace("START", str(_start(provisioning_lab))),
        headers={"Authorization": f"Bearer {provisioning_lab.admin_token}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == field, error
    assert field in error["message"] or field.replace("_", " ") in error["message"]
    assert "unexpected keyword" not in error["message"] and "not supported between" not in error["message"]
    assert (system.faults.active(), list(system.faults.scheduled), len(provisioning_lab.clock.pending())) == before
    assert provisioning_lab.clock.time() == now
    # Still answering, now and after any window would have opened, with no header anyone injected.
    provisioning_lab.advance(hours=3)
    answer = requests.get(system.url + "/accounts", timeout=5)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    overview = requests.get(provisioning_lab.url + "/", timeout=5)
    assert overview.status_code == 200 and "could not be drawn" not in overview.text


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.fail_after_work(status=200),
        lambda f: f.fail_after_work(status=999),
        lambda f: f.errors(status=429.5),
        lambda f: f.errors(retry_after="1\r\nSet-Cookie: pwn=1"),
        lambda f: f.slow(seconds=float("nan")),
        lambda f: f.errors(rate=True),
        lambda f: f.set("down", rate=0.5),
        lambda f: f.window("errors", start=0, hours=1, status=999),
        lambda f: f.window("errors", start=0, hours=1, rate=5),
        lambda f: f.window("down", start=0, days=1e308),
    ],
)
def test_the_python_api_refuses_the_same_settings(provisioning_lab: Lab, call) -> None:
    faults = provisioning_lab.provisioning.faults
    with pytest.raises(ValueError):
        call(faults)
    assert faults.active() == {} and faults.scheduled == []


def test_retry_after_is_sent_as_seconds_or_an_http_date(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    for given, sent in [(30, "30"), ("45", "45"), ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")]:
        system.faults.errors(status=429, retry_after=given)
        response = requests.get(system.url + "/accounts", timeout=5)
        assert response.status_code == 429 and response.headers["Retry-After"] == sent


def test_a_request_under_an_accepted_fault_gets_json_and_is_logged(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    url = provisioning_lab.url + FAULTS
    auth = {"Authorization": f"Bearer {provisioning_lab.admin_token}"}
    for setting in ({"kind": "errors", "status": 429.0}, {"kind": "fail_after_work", "status": 502}):
        assert requests.post(url, json=setting, headers=auth, timeout=5).status_code == 200
        logged = system.requests.count()
        response = requests.get(system.url + "/accounts", timeout=5)
        assert response.status_code == int(setting["status"])
        assert response.json()["error"]["code"] == "injected_fault"
        assert system.requests.count() == logged + 1
        requests.delete(url, headers=auth, timeout=5)


def test_a_scheduled_bad_window_never_reaches_the_overview(provisioning_lab: Lab) -> None:
    # The window is refused when given, so the overview has nothing it cannot draw.
    with pytest.raises(ValueError):
        provisioning_lab.provisioning.faults.window("down", start=provisioning_lab.clock.now(), days=1e308)
    page = requests.get(provisioning_lab.url + "/", timeout=5)
    assert page.status_code == 200 and "could not be drawn" not in page.text
