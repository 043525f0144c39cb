"""Tasks over HTTP: create, list (by contact and status), read, change; completing one emits `task.completed`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..errors import ApiError
from ..jsonapi import json_body
from . import records
from .core import CrmCore, current

bp = Blueprint("tasks", __name__)


@bp.post("/tasks")
def create_task() -> tuple[Response, int]:
    return jsonify(create(current(), records.task_fields(json_body()))), 201


@bp.get("/tasks")
def list_tasks() -> Response:
    crm = current()
    where, params = [], []
    contact, status = request.args.get("contact"), request.args.get("status")
    if status is not None and status not in records.TASK_STATUSES:
        raise ApiError(400, f"status must be one of {', '.join(records.TASK_STATUSES)}, not {status!r}", param="status")
    for field, value in (("contact", contact), ("status", status)):
        if value is not None:
            where.append(f"json_extract(body, '$.{field}') = ?")
            params.append(value)
    return crm.page(crm.tasks, "/tasks", " AND ".join(where), tuple(params))


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    crm = current()
    return jsonify(crm.get(crm.tasks, task_id, "task"))


@bp.patch("/tasks/<task_id>")
def update_task(task_id: str) -> Response:
    return jsonify(update(current(), task_id, records.task_fields(json_body(), partial=True)))


def create(crm: CrmCore, fields: dict[str, Any]) -> dict[str, Any]:
    now = crm.clock.time()
    with crm.store.transaction():
        _check_contact(crm, fields.get("contact"))
        task = {
            "id": crm.ids.new("task"),
            "object": "task",
            "title": fields["title"],
            "contact": fields["contact"],
            "notes": fields["notes"],
            "due": fields["due"],
            "status": fields.get("status", "open"),
            "created": int(now),
            "completed_at": int(now) if fields.get("status") == "done" else None,
        }
        crm.tasks.insert(task, created=now)
        crm.emit("task.created", task)
    return task


def update(crm: CrmCore, task_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    with crm.store.transaction():
        task = crm.get(crm.tasks, task_id, "task")
        if "contact" in fields:
            _check_contact(crm, fields["contact"])
        completing = fields.get("status") == "done" and task["status"] != "done"
        task.update(fields)
        if "status" in fields:
            task["completed_at"] = (task["completed_at"] or crm.clock.timestamp()) if task["status"] == "done" else None
        crm.tasks.replace(task)
        if completing:
            crm.emit("task.completed", task)
    return task


def _check_contact(crm: CrmCore, contact_id: str | None) -> None:
    if contact_id is not None and crm.contacts.get(contact_id) is None:
        raise ApiError(
            400, f"contact {contact_id!r} does not exist; create it first or leave contact out", param="contact"
        )
