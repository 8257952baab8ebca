"""The health endpoint: 200 while the database answers and the worker keeps up and is alive, 503
when a ready task has waited too long, no worker has beaten lately, or the database is gone."""

import datetime

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from helsefellesskap.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def waiting_task(minutes: int) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="helsefellesskap.mail.tasks.deliver_email",
        backend_name="default",
        run_after=get_date_max(),
    )
    earlier = timezone.now() - datetime.timedelta(minutes=minutes)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=earlier)
    return task


def test_healthy(client):
    response = client.get("/helse/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["queue"]["ready"] == 0
    assert "worker" not in body["checks"]  # the tests run tasks at once, without a worker
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_task_waiting_for_a_moment_is_fine(client):
    waiting_task(minutes=1)
    assert client.get("/helse/").status_code == 200


def test_a_task_waiting_past_the_limit_means_no_worker(client):
    waiting_task(minutes=10)
    response = client.get("/helse/")
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False and queue["ready"] == 1 and queue["oldest_wait_s"] >= 600


def test_no_database_answers_503(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/helse/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def beat(seconds_ago: int, worker_id: str = "w1") -> None:
    at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="vert", pid=1, started_at=at, beat_at=at
    )


@override_settings(TASKS=DATABASE_QUEUE, HEALTH_WORKER_MAX_AGE=120)
def test_with_the_database_queue_a_worker_must_have_beaten_lately(client):
    response = client.get("/helse/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "alive": 0,
        "last_beat_age_s": None,
        "limit_s": 120,
    }
    beat(seconds_ago=600, worker_id="gammel")
    beat(seconds_ago=3)
    response = client.get("/helse/")
    assert response.status_code == 200
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is True and worker["alive"] == 1 and worker["last_beat_age_s"] <= 5


@override_settings(TASKS=DATABASE_QUEUE, HEALTH_WORKER_MAX_AGE=120)
def test_a_worker_silent_past_the_limit_answers_503(client):
    beat(seconds_ago=180)
    response = client.get("/helse/")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["alive"] == 0 and worker["last_beat_age_s"] >= 180
