"""`hooklab trigger` and `hooklab listen` against a running lab."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from simulators import Lab
from simulators.cli import main


def _flags(lab: Lab) -> list[str]:
    return ["--api-base", lab.payments.url, "--api-key", lab.payments.api_key]


def test_trigger_reads_env_then_serve_file(
    bare_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HOOKLAB_API_BASE", raising=False)
    monkeypatch.delenv("HOOKLAB_API_KEY", raising=False)
    monkeypatch.setenv("HOOKLAB_HOME", str(tmp_path))
    assert main(["trigger", "customer.created"]) == 1
    assert "hooklab serve" in capsys.readouterr().err
    (tmp_path / "serve.json").write_text(
        json.dumps({"payments": {"url": bare_lab.payments.url, "api_key": bare_lab.payments.api_key}})
    )
    assert main(["trigger", "customer.created"]) == 0
    monkeypatch.setenv("HOOKLAB_API_KEY", "sk_test_wrong")
    assert main(["trigger", "customer.created"]) == 1
    assert "Invalid API Key" in capsys.readouterr().err
    assert len(bare_lab.payments.customers()) == 1
    assert main(["trigger", "nothing.happened", *_flags(bare_lab)]) == 2


def test_listen_prints_secret_and_each_attempt(bare_lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    lab = bare_lab
    answers = iter([500, 200])
    target = lab.host(lambda request: next(answers), name="target")
    result: list[int] = []
    listener = threading.Thread(
        target=lambda: result.append(
            main(
                [
                    "listen",
                    "--forward-to",
                    target.url,
                    "--events",
                    "customer.created",
                    "--retry-policy",
                    "standard",
                    "--count",
                    "2",
                    "--poll",
                    "0.05",
                    *_flags(lab),
                ]
            )
        )
    )
    listener.start()
    for _ in range(200):
        if lab.payments.endpoints():
            break
        threading.Event().wait(0.02)
    [endpoint] = lab.payments.endpoints()
    lab.payments.create_customer("ada@example.com")
    lab.advance(minutes=1)
    listener.join(timeout=10)
    assert result == [0]
    out = capsys.readouterr().out
    assert "Your webhook signing secret is whsec_" in out and endpoint["id"] in out
    lines = [line for line in out.splitlines() if "-->" in line]
    assert len(lines) == 2 and "customer.created" in lines[0]
    assert "[500]" in lines[0] and "retry at" in lines[0] and "[200]" in lines[1]
    assert lab.payments.endpoints() == []  # removed on exit


def test_listen_stops_at_its_count_even_when_more_arrive_at_once(
    bare_lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = bare_lab
    target = lab.host(lambda request: 200, name="target")
    result: list[int] = []
    listener = threading.Thread(
        target=lambda: result.append(
            main(
                [
                    "listen",
                    "--forward-to",
                    target.url,
                    "--events",
                    "customer.created",
                    "--count",
                    "2",
                    "--poll",
                    "0.3",
                    *_flags(lab),
                ]
            )
        )
    )
    listener.start()
    for _ in range(200):
        if lab.payments.endpoints():
            break
        threading.Event().wait(0.02)
    for n in range(4):  # four deliveries land before the listener's next look
        lab.payments.create_customer(f"c{n}@example.com")
    listener.join(timeout=10)
    assert result == [0]
    assert len([line for line in capsys.readouterr().out.splitlines() if "-->" in line]) == 2
