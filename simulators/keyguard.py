"""Answer only requests whose path starts with the lab's key (see `labkey` for why a path)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import Any

from .errors import json_error
from .labkey import base_path


class KeyRequired:
    """WSGI middleware: answer only paths under `/hl_KEY`, moved to SCRIPT_NAME so the app sees its own paths."""

    def __init__(self, app: Any, key: str) -> None:
        self.app = app
        self.prefix = base_path(key).encode()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        head, slash, rest = path[1:].partition("/")
        # As bytes, in constant time: how much of a guess matched must not show in the answer's timing.
        offered = ("/" + head).encode("utf-8", "surrogateescape")
        if not path.startswith("/") or not hmac.compare_digest(offered, self.prefix):
            answer = json_error(
                404,
                "this lab has nothing at that URL: every URL of a lab starts with its key"
                " (use lab.crm.url, lab.links() or `hooklab serve`'s list, never a bare port)",
                type="invalid_request_error",
                code="not_this_labs_url",
            )
            return answer(environ, start_response)
        if (
            not slash
            and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and "text/html" in environ.get("HTTP_ACCEPT", "")
        ):
            # A page at `/hl_KEY` would send its relative links to `/`: a browser goes on to `/hl_KEY/`.
            query = environ.get("QUERY_STRING", "")
            start_response("308 Permanent Redirect", [("Location", f"{head}/" + (f"?{query}" if query else ""))])
            return [b""]
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + head
        environ["PATH_INFO"] = slash + rest if slash else "/"
        return self.app(environ, start_response)  # type: ignore[no-any-return]
