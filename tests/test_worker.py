"""The background worker survives: a database outage is waited out (one warning, one line when it
is over, pauses of 1, 2, 4 … s), a task interrupted by it runs again, a task abandoned by a
killed worker is queued again when its lease runs out, a task still running under a live worker
is left alone, and the mail of such tasks goes out once."""

import datetime
import io
import logging
import time

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet, get_date_max

from helsefellesskap.core import worker as worker_module
from helsefellesskap.core.models import WorkerHeartbeat
from helsefellesskap.core.worker import MAX_CLAIMS, ResilientWorker, backoff
from helsefellesskap.mail import services as mail_services
from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.mail.services import email_queue_rendered

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DELIVER = "helsefellesskap.mail.services.deliver_email"
REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


def make_worker(**options) -> ResilientWorker:
    defaults = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "denne-prosessen",
        "excluded_queue_names": [],
        "lease_seconds": 300,
    }
    return ResilientWorker(**{**defaults, **options})


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def running_task(worker_ids: list[str], started_at: datetime.datetime, **fields) -> DBTaskResult:
    values = {
        "args_kwargs": {"args": [0], "kwargs": {}},
        "task_path": DELIVER,
        "backend_name": "default",
        "run_after": get_date_max(),
        **fields,
    }
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, started_at=started_at, worker_ids=worker_ids, **values
    )


def heartbeat(worker_id: str, beat_at: datetime.datetime) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="vert", pid=1, started_at=beat_at, beat_at=beat_at
    )


def worker_lines(caplog, level=logging.DEBUG):
    return [r for r in caplog.records if r.name == "helsefellesskap.worker" and r.levelno >= level]


@pytest.fixture
def pauses(monkeypatch):
    """The worker's pauses, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(worker_module.time, "sleep", slept.append)
    return slept


def test_the_pauses_double_up_to_thirty_seconds():
    assert [backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


# --- Outages -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_the_worker_waits_out_a_database_outage_then_delivers_the_mail(
    monkeypatch, caplog, pauses, mailoutbox
):
    email = email_queue_rendered(to="a@example.no", subject="Emne", text_body="Tekst")
    outage = [
        OperationalError(REFUSED),
        InterfaceError("connection already closed"),
        OperationalError(REFUSED),
        OperationalError("server closed the connection unexpectedly"),
    ]
    real_get_locked = DBTaskResultQuerySet.get_locked

    def get_locked(self):
        if outage:
            raise outage.pop(0)
        return real_get_locked(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    caplog.set_level(logging.INFO)
    make_worker().run()  # --batch: returns when the queue is empty
    assert pauses == [1, 2, 4, 8]
    assert len(mailoutbox) == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    warnings = worker_lines(caplog, logging.WARNING)
    assert [r.getMessage().split(" (")[0] for r in warnings] == ["Database unavailable"]
    assert [r for r in worker_lines(caplog) if r.getMessage().startswith("Database back")]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per poll


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_task_cut_off_by_an_outage_runs_again_and_its_mail_goes_out_once(
    monkeypatch, caplog, pauses, mailoutbox
):
    """The mail was sent, then the database went away before the task could be marked done:
    the task is left RUNNING under this worker's id, released when the database is back, and
    its second run finds the mail sent."""
    email_queue_rendered(to="a@example.no", subject="Emne", text_body="Tekst")
    real = DBTaskResult.set_successful, DBTaskResult.set_failed
    down = {"successful": 1, "failed": 1}

    def failing(name, method):
        def write(self, *args):
            if down[name]:
                down[name] -= 1
                raise OperationalError("server closed the connection unexpectedly")
            return method(self, *args)

        return write

    monkeypatch.setattr(DBTaskResult, "set_successful", failing("successful", real[0]))
    monkeypatch.setattr(DBTaskResult, "set_failed", failing("failed", real[1]))
    caplog.set_level(logging.INFO)
    make_worker().run()
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["denne-prosessen", "denne-prosessen"]  # it ran twice
    assert len(mailoutbox) == 1
    assert pauses == [1]
    assert [r for r in worker_lines(caplog) if "abandoned" in r.getMessage()]


# --- Heartbeat -----------------------------------------------------------------------------------


def test_the_heartbeat_is_written_every_few_seconds():
    worker = make_worker()
    worker.beat()
    first = WorkerHeartbeat.objects.get(worker_id="denne-prosessen")
    assert first.pid == worker.pid and first.host == worker.host
    worker.beat()  # within heartbeat_seconds: nothing written
    assert WorkerHeartbeat.objects.get().beat_at == first.beat_at
    worker.beat(force=True)
    assert WorkerHeartbeat.objects.get().beat_at > first.beat_at


@pytest.mark.django_db(transaction=True)
def test_a_long_task_keeps_its_heartbeat_fresh():
    worker = make_worker()
    worker.heartbeat_seconds = 0.05
    started = timezone.now()
    with worker.keepalive():  # what run_task does around the task
        time.sleep(0.5)
    assert WorkerHeartbeat.objects.get(worker_id="denne-prosessen").beat_at > started


# --- Leases --------------------------------------------------------------------------------------


def test_a_task_of_a_killed_worker_is_queued_again_when_its_lease_runs_out():
    worker = make_worker(lease_seconds=300)
    heartbeat("drept", ago(minutes=10))
    heartbeat("travel", ago(seconds=3))
    abandoned = running_task(["drept"], ago(minutes=10))
    no_beat_at_all = running_task(["forsvunnet"], ago(minutes=10))
    busy = running_task(["travel"], ago(minutes=10))  # a long task, its worker alive
    recent = running_task(["drept"], ago(minutes=2))  # within the lease
    assert worker.sweep(others=True) == 2
    statuses = {t.pk: t.status for t in DBTaskResult.objects.all()}
    assert statuses[abandoned.pk] == TaskResultStatus.READY
    assert statuses[no_beat_at_all.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == TaskResultStatus.RUNNING
    assert statuses[recent.pk] == TaskResultStatus.RUNNING
    assert worker.sweep(others=True) == 0


def test_a_worker_releases_its_own_running_tasks_at_once():
    """Left by an outage in the middle of a task, or by an earlier process with the same id."""
    worker = make_worker()
    mine = running_task(["denne-prosessen"], ago(seconds=1))
    theirs = running_task(["annen"], ago(seconds=1))
    assert worker.sweep(others=False) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == TaskResultStatus.READY and theirs.status == TaskResultStatus.RUNNING


def test_a_task_that_every_worker_dies_on_is_failed_not_retried_for_ever(caplog):
    worker = make_worker()
    task = running_task([f"w{n}" for n in range(MAX_CLAIMS)], ago(hours=1))
    worker.sweep(others=True)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "helsefellesskap.core.worker.WorkerLost"


def test_old_heartbeats_are_cleared():
    heartbeat("gammel", ago(days=2))
    heartbeat("fersk", ago(seconds=2))
    make_worker().sweep(others=True)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["fersk"]


# --- The command ---------------------------------------------------------------------------------


@pytest.fixture
def restore_log_levels():
    names = ("django_tasks", "django_tasks_db", "helsefellesskap.worker")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_run_worker_takes_over_the_delivery_of_a_killed_worker_and_sends_once(
    mailoutbox, restore_log_levels
):
    """A worker was killed while delivering: its task is RUNNING and its mail SENDING. Before
    the lease and the claim run out nobody sends it; after, the next worker sends it once."""
    fresh = email_queue_rendered(to="ny@example.no", subject="Ny", text_body="Tekst")
    killed = OutgoingEmail.objects.create(
        to="halvveis@example.no", subject="Halvveis", text_body="Tekst"
    )
    mail_services._claim(killed.pk)
    task = running_task(["drept"], timezone.now(), args_kwargs={"args": [killed.pk], "kwargs": {}})
    heartbeat("drept", timezone.now())
    options = ["--batch", "--no-startup-delay", "--no-reload", "--interval", "0"]
    call_command("run_worker", *options, "--worker-id", "neste", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [["ny@example.no"]]  # the killed one's is left alone
    assert mail_services.email_send_due() == 0
    # Five minutes on: the dead worker's heartbeat and the mail's claim have run out.
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=ago(minutes=6))
    WorkerHeartbeat.objects.filter(worker_id="drept").update(beat_at=ago(minutes=6))
    OutgoingEmail.objects.filter(pk=killed.pk).update(claimed_until=ago(seconds=1))
    call_command("run_worker", *options, "--lease", "300", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mailoutbox) == ["halvveis@example.no", "ny@example.no"]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2
    fresh.refresh_from_db()
    killed.refresh_from_db()
    assert fresh.status == killed.status == OutgoingEmail.Status.SENT
    assert killed.attempts == 2
    assert WorkerHeartbeat.objects.filter(worker_id="neste").exists()
