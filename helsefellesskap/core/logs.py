"""Structured logs: one JSON line per record, with the request's id and user on every line logged
while a request runs, one line per request (method, path, status, duration), and one line per
background task run (task, id, status, duration, attempt), with the task's id on every line logged
while it runs.

Lines carry ids, never content: the path without its query string (a search may hold free text),
and no form data, deviation text, case paper or e-mail body."""

import contextvars
import datetime
import json
import logging
import re
import time
import traceback
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FIELDS = ("method", "path", "status", "duration_ms", "task", "task_status", "attempt", "worker_id")

request_logger = logging.getLogger("helsefellesskap.request")
task_logger = logging.getLogger("helsefellesskap.task")


class ContextFilter(logging.Filter):
    """Adds the current request's id and user to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = user_id.get()
        if not getattr(record, "task_id", ""):
            record.task_id = task_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "user_id", "task_id", *FIELDS):
            value = getattr(record, name, None)
            if value not in (None, ""):
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def _loaded_user_id(request: HttpRequest) -> int | None:
    """The user's id if the request has already loaded the user: reading it here must not query
    a database that may be down."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None  # a lazy user nobody has looked at
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    """Gives each request an id (or keeps a sane one from the proxy), logs one line when it is
    answered, and returns the id in the response so a user's report can be found."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        user_token = user_id.set(None)
        started = time.monotonic()
        try:
            response: HttpResponse = self.get_response(request)
            user_id.set(_loaded_user_id(request))
            response[REQUEST_ID_HEADER] = rid
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)
            user_id.reset(user_token)


# --- Background tasks ----------------------------------------------------------------------------


def task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    task_id.set(str(task_result.id))


def task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """One line per run of a task: which task, its id, how it ended, how long it took, and which
    attempt it was. Never its arguments or return value (a mail task's ids only, but other tasks
    may carry text)."""
    started, finished = task_result.started_at, task_result.finished_at
    duration = (finished - started).total_seconds() * 1000 if started and finished else None
    status = str(getattr(task_result.status, "value", task_result.status))
    worker_ids = list(task_result.worker_ids or [])
    task_logger.log(
        logging.WARNING if status == "FAILED" else logging.INFO,
        "task %s %s",
        task_result.task.module_path,
        status,
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "task_status": status,
            "duration_ms": None if duration is None else round(duration, 1),
            "attempt": len(worker_ids),
            "worker_id": worker_ids[-1] if worker_ids else None,
        },
    )
    task_id.set("")


def connect_task_signals() -> None:
    """Called by the core app when the registry is ready (django_tasks needs it)."""
    from django_tasks.signals import task_finished as finished
    from django_tasks.signals import task_started as started

    started.connect(task_started, dispatch_uid="helsefellesskap.core.logs.task_started")
    finished.connect(task_finished, dispatch_uid="helsefellesskap.core.logs.task_finished")
