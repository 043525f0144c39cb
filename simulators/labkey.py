"""The lab's key: a random secret every URL of the lab starts with, so a lab answers only its owner.

On a JupyterHub node every learner's lab listens on the same loopback, and
the Host check (`hosts.py`) cannot tell learners apart: any of them can send
a request to any port. So each lab draws a key from `secrets` (never from the
seed: every learner runs the same seeds), keeps it in its 0700 state folder
in a 0600 file, and serves every system, dashboard, learner endpoint and the
control server under `/hl_KEY/`. The payment system's API key is
`sk_test_KEY`.

Why a path and not a header or a cookie: `lab.crm.url + "/contacts"` given to
plain `requests.get` must keep working, as the course teaches it; so must the
stripe SDK (`stripe.api_base = lab.payments.url`), webhooks the lab sends to
a learner's endpoint URL, and a dashboard opened through jupyter-server-proxy
(`/user/NAME/proxy/PORT/hl_KEY/`), whose relative links stay inside it. Only
a URL carries through all of them; a header would need every client to send
it, a cookie a first visit that sets it. A request without the key, or with
another lab's, is a 404 in the lab's JSON error shape: it learns nothing,
not even whether the path exists.
"""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

#: The key's letters: what a Stripe key and a URL path both take without escaping.
ALPHABET = string.ascii_letters + string.digits
LENGTH = 32
#: The file in a lab's state folder that keeps its key across kernel restarts.
KEY_FILE = "lab.key"
#: What every path of a lab starts with, before the key.
PREFIX = "/hl_"


def new_key() -> str:
    """A fresh random key (32 letters and digits, about 190 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_key(text: str) -> bool:
    return len(text) == LENGTH and all(char in ALPHABET for char in text)


def base_path(key: str) -> str:
    """The path every URL of a lab with this key starts with."""
    return PREFIX + key


def private_folder(folder: Path) -> None:
    """Make `folder` if it is missing, with only this user let in (one that exists is the user's to set)."""
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # mkdir's mode passes through the umask


def keep_key(folder: Path, key: str | None = None) -> str:
    """The key kept in `folder` (a new one written there if it has none, or `key` if given), readable by its owner only."""
    path = folder / KEY_FILE
    if key is None:
        try:
            saved = path.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            saved = ""
        if is_key(saved):
            return saved
        key = new_key()
    elif not is_key(key):
        raise ValueError(f"a lab key is {LENGTH} letters and digits (from new_key()), not {len(key)} characters")
    # 0600 from the first byte; an existing file is narrowed too, as open() keeps its mode.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(key + "\n")
    return key
