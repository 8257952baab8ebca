"""The health endpoint: 200 while the database answers and the worker keeps up, 503 when a ready
task has waited too long or the database is gone."""

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

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
