"""The lab's key: random, kept owner-only in the state folder, and the start of every URL the lab answers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import requests
import stripe

from simulators import Lab
from simulators.labkey import is_key, keep_key, new_key


def test_a_named_state_folder_keeps_its_key_so_urls_survive_a_restart(tmp_path: Path) -> None:
    with Lab(seed=3, state_dir=tmp_path / "state", systems=["crm"]) as first:
        key, url = first.key, first.crm.url
    assert is_key(key) and url.endswith("/hl_" + key)
    assert stat.S_IMODE((tmp_path / "state" / "lab.key").stat().st_mode) == 0o600
    with Lab(seed=3, state_dir=tmp_path / "state", systems=["crm"]) as again:
        assert again.key == key
    with Lab(seed=3, systems=["crm"]) as other:
        assert other.key != key, "the same seed, another key: keys never come from the seed"


def test_a_key_given_must_be_one_new_key_would_make(tmp_path: Path) -> None:
    assert keep_key(tmp_path, given := new_key()) == given == keep_key(tmp_path)
    with pytest.raises(ValueError, match="32 letters and digits"):
        keep_key(tmp_path, "short/../key")


def test_every_client_the_course_teaches_carries_the_key() -> None:
    with Lab(seed=4, systems=["mailer", "crm", "provisioning", "payments"]) as lab:
        assert requests.post(lab.crm.url + "/contacts", json={"email": "ada@example.com"}, timeout=5).status_code == 201
        client = stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url})
        assert client.v1.customers.create({"email": "ada@example.com"}).id.startswith("cus_")
        assert lab.payments.api_key == "sk_test_" + lab.key
        hook = lab.host(lambda request: {"got": request.json}, name="hook")
        assert requests.post(hook.url, json={"a": 1}, timeout=5).json() == {"got": {"a": 1}}
        # A browser asking for the bare key is sent on to the folder, so relative links stay under it.
        page = requests.get(lab.crm.url, headers={"Accept": "text/html"}, timeout=5, allow_redirects=False)
        assert page.status_code == 308 and page.headers["Location"] == f"hl_{lab.key}/"
        assert "CRM" in requests.get(lab.crm.url, headers={"Accept": "text/html"}, timeout=5).text


@pytest.mark.parametrize("path", ["/contacts", "/hl_/contacts", "/hl_{key}x/contacts", "/hl_{other}/contacts", "//"])
def test_a_path_without_the_key_is_a_404_that_shows_nothing(path: str) -> None:
    with Lab(seed=4, systems=["crm"]) as lab:
        lab.crm.create_contact("ada@example.com")
        before = len(lab.crm.requests.entries())
        url = f"http://127.0.0.1:{lab.crm.port}" + path.format(key=lab.key, other=new_key())
        answer = requests.get(url, timeout=5)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_this_labs_url"
        assert "ada@" not in answer.text and lab.key not in answer.text
        assert len(lab.crm.requests.entries()) == before, "nor is it logged as the lab's traffic"
