"""A health endpoint for load balancers and monitoring: is the database there, and is the
background worker keeping up (a ready task waiting longer than HEALTH_QUEUE_MAX_AGE seconds
means no worker is taking tasks) and alive (with the database queue, a worker heartbeat younger
than HEALTH_WORKER_MAX_AGE seconds)? Answers 200 when all is well and 503 otherwise, as JSON with
counts and ages only."""

import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import WorkerHeartbeat


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _queue(now: datetime.datetime) -> dict[str, Any]:
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
    waited = 0.0
    if oldest is not None:
        enqueued_at, run_after = oldest
        since = enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)
        waited = max(0.0, (now - since).total_seconds())
    limit = settings.HEALTH_QUEUE_MAX_AGE
    return {
        "ok": waited <= limit,
        "ready": ready.count(),
        "oldest_wait_s": round(waited),
        "limit_s": limit,
    }


def _worker(now: datetime.datetime) -> dict[str, Any] | None:
    """The newest heartbeat of a `run_worker`; None when tasks run without a worker (the tests'
    immediate backend)."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    limit = settings.HEALTH_WORKER_MAX_AGE
    newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if newest is None:
        return {"ok": False, "alive": 0, "last_beat_age_s": None, "limit_s": limit}
    age = max(0.0, (now - newest).total_seconds())
    alive = WorkerHeartbeat.objects.filter(
        beat_at__gte=now - datetime.timedelta(seconds=limit)
    ).count()
    return {"ok": age <= limit, "alive": alive, "last_beat_age_s": round(age), "limit_s": limit}


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database()}
    if checks["database"]["ok"]:
        now = timezone.now()
        checks["queue"] = _queue(now)
        worker = _worker(now)
        if worker is not None:
            checks["worker"] = worker
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )
