"""The server's own error answers (before any app runs), in the lab's JSON error shape.

waitress answers a request it cannot parse (a malformed request line, headers
over the limit, a bad chunk, a body over the server's limit) itself, in plain
text. The lab answers those in the same envelope as every system's errors,
`{"error": {"type", "code", "message", "request_id"}}`, with a `Request-Id`
header, and closes the connection, as waitress does after any such error.

The id is random, not seeded: no system saw the request, so it is in no log
to match, and the same hostile bytes twice are still two requests.
"""

from __future__ import annotations

import json
import secrets
import string

from waitress.task import ErrorTask

_ALPHABET = string.ascii_letters + string.digits

# Why each status: what the sender should change, in the words the systems use.
_MESSAGES = {
    400: "The request could not be read as HTTP/1.1",
    413: "The request body is larger than this server accepts",
    431: "The request line and headers are larger than the {limit} KB this server accepts",
    500: "The server hit an internal error before the system saw the request; this is a bug",
    501: "The request uses a transfer encoding this server does not implement",
}
_CODES = {400: "malformed_request", 413: "body_too_large", 431: "headers_too_large", 501: "not_implemented"}
# waitress's detail says what was wrong ("Malformed HTTP method ..."); bounded, since it may quote the request.
_DETAIL_CHARS = 200


def new_request_id() -> str:
    return "req_" + "".join(secrets.choice(_ALPHABET) for _ in range(14))


def error_body(status: int, detail: str, *, request_id: str, header_limit: int) -> bytes:
    """The JSON bytes for one server-level error."""
    message = _MESSAGES.get(status, "The server could not handle this request").format(limit=header_limit // 1024)
    if detail and status != 500:
        message += ": " + detail[:_DETAIL_CHARS].rstrip(".")
    error = {
        "type": "api_error" if status >= 500 else "invalid_request_error",
        "code": _CODES.get(status, "server_error"),
        "message": message + ".",
        "request_id": request_id,
    }
    return json.dumps({"error": error}).encode()


class JsonErrorTask(ErrorTask):  # type: ignore[misc]  # waitress ships no type hints
    """waitress's error answer, with the lab's JSON body instead of its text page."""

    def execute(self) -> None:
        error = self.request.error
        request_id = new_request_id()
        body = error_body(
            error.code,
            str(error.body or ""),
            request_id=request_id,
            header_limit=self.channel.server.adj.max_request_header_size,
        )
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"), ("Request-Id", request_id)])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)
