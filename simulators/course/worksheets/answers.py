"""The learner's answers, kept in one JSON file that survives kernel restarts.

The file is HOOKLAB_WORKSHEET if set, else ~/.hooklab/worksheet.json. Every
save re-reads the file and replaces it atomically (write a temporary file,
then rename), so two notebooks answering at once never corrupt it, and a
crash mid-write leaves the previous version whole.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from simulators.labkey import private_folder

WORKSHEET_ENV = "HOOKLAB_WORKSHEET"
_lock = threading.Lock()


def worksheet_path() -> Path:
    """Where answers are saved (read from the environment each time)."""
    configured = os.environ.get(WORKSHEET_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".hooklab" / "worksheet.json"


def load_answers(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every saved answer by question id: {"answer": ..., "question": ..., "notebook": ...}."""
    target = path or worksheet_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise ValueError(
            f"the worksheet file {target} is not valid JSON ({exc}); move it aside to start a new one"
        ) from None
    answers = data.get("answers", {}) if isinstance(data, dict) else {}
    return {key: value for key, value in answers.items() if isinstance(value, dict)}


def answer_for(question_id: str, path: Path | None = None) -> str:
    entry = load_answers(path).get(question_id)
    return str(entry.get("answer", "")) if entry else ""


def save_answer(
    question_id: str, answer: str, *, question: str = "", notebook: str = "", path: Path | None = None
) -> Path:
    """Save one answer, keeping every other answer in the file."""
    target = path or worksheet_path()
    with _lock:
        answers = load_answers(target)
        answers[question_id] = {"answer": answer, "question": question, "notebook": notebook}
        _write_atomically(target, {"version": 1, "answers": answers})
    return target


def _write_atomically(target: Path, data: dict[str, Any]) -> None:
    private_folder(target.parent)  # answers are the learner's own: on a shared hub node nobody else may read them
    handle, temporary = tempfile.mkstemp(prefix=".worksheet-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
