"""Where the CLI finds the payment system: flags, then the environment, then `hooklab serve`'s file."""

from __future__ import annotations

import json

from .. import settings
from .client import PaymentsClient


class ConnectionMissing(RuntimeError):
    """No URL or key was given and no running `hooklab serve` left its details."""


def resolve(api_base: str | None = None, api_key: str | None = None) -> tuple[str, str]:
    """The payment system's URL and API key."""
    url = api_base or settings.api_base()
    key = api_key or settings.api_key()
    if url and key:
        return url.rstrip("/"), key
    path = settings.serve_file()
    try:
        saved = json.loads(path.read_text())["payments"]
        url, key = url or saved["url"], key or saved["api_key"]
    except FileNotFoundError:
        raise ConnectionMissing(
            f"no payment system to talk to: start `hooklab serve` (it writes {path}), or pass --api-base and "
            "--api-key (or set HOOKLAB_API_BASE and HOOKLAB_API_KEY)"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConnectionMissing(f"{path} does not hold payments.url and payments.api_key ({exc})") from None
    return str(url).rstrip("/"), str(key)


def connect(api_base: str | None = None, api_key: str | None = None) -> PaymentsClient:
    url, key = resolve(api_base, api_key)
    return PaymentsClient(url, key, timeout=10.0)
