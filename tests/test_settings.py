"""One settings module: one default for HOOKLAB_HOME, and every reader of the serve file agrees on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators import proxy, settings
from simulators.payments.connection import ConnectionMissing, resolve


def test_home_is_hooklab_home_else_one_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(settings.HOME, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings.home() == tmp_path / ".hooklab" == proxy.key_folder()
    assert settings.serve_file() == tmp_path / ".hooklab" / "serve.json"
    monkeypatch.setenv(settings.HOME, str(tmp_path / "elsewhere"))
    assert settings.home() == tmp_path / "elsewhere" == proxy.key_folder()


def test_the_cli_reads_the_serve_file_where_serve_writes_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(settings.HOME, str(tmp_path))
    monkeypatch.delenv(settings.API_BASE, raising=False)
    monkeypatch.delenv(settings.API_KEY, raising=False)
    with pytest.raises(ConnectionMissing, match=str(tmp_path / "serve.json")):
        resolve()
    (tmp_path / "serve.json").write_text('{"payments": {"url": "http://127.0.0.1:9/", "api_key": "sk_test_x"}}')
    assert resolve() == ("http://127.0.0.1:9", "sk_test_x")
    monkeypatch.setenv(settings.API_BASE, "http://127.0.0.1:8")
    monkeypatch.setenv(settings.API_KEY, "sk_test_y")
    assert resolve() == ("http://127.0.0.1:8", "sk_test_y")


def test_an_empty_lab_key_counts_as_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LAB_KEY, "")
    assert settings.lab_key() is None
    monkeypatch.setenv(settings.LAB_KEY, "k3y")
    assert settings.lab_key() == "k3y"
