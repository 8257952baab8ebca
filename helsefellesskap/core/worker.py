"""The background worker that survives: django_tasks_db's worker, with three things added.

- **Database outages.** A poll that fails because the database is gone (refused, reset, closed)
  does not end the process: the connections are closed, the worker waits 1, 2, 4 … at most
  `MAX_BACKOFF` seconds and tries again. One warning when the outage starts, one line when it
  ends, no traceback per poll.
- **A heartbeat.** The worker writes its `WorkerHeartbeat` every `heartbeat_seconds`, from the
  loop and, while a task runs, from a small thread, so a long task keeps its lease. `/helse/`
  reads the newest beat.
- **Leases.** A task stays RUNNING only while the worker that took it is alive. Every
  `sweep_seconds` the worker puts back to READY the running tasks that started more than
  `lease` ago and whose worker has not beaten within the lease (killed, or its host is gone),
  and at once the running tasks of its own id that it is not running (left by an outage in the
  middle of a task, or by an earlier process with the same `--worker-id`). A task taken
  `MAX_CLAIMS` times without finishing is marked failed instead of being tried for ever.

Tasks therefore run at least once, and may run again after a lease expires: they must be safe to
repeat (the mail task is, see `mail.services.email_deliver`).

The loop itself is django_tasks_db's (`Worker.run`), split into steps we can guard; the task
execution, claiming and signal handling are reused as they are."""

import datetime
import enum
import logging
import math
import os
import random
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DatabaseError, IntegrityError, close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import logs
from .models import WorkerHeartbeat

logger = logging.getLogger("helsefellesskap.worker")

# What a lost database looks like. The ORM wraps the driver's errors in Django's, but a few
# paths (connecting, closing) may let psycopg's own through.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
# What closing a connection may raise, broken or not.
CLOSE_ERRORS: tuple[type[Exception], ...] = (DatabaseError,)
try:
    import psycopg
except ImportError:  # pragma: no cover - SQLite-only installs
    pass
else:
    DATABASE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)
    CLOSE_ERRORS += (psycopg.Error,)

# A running task as the sweep reads it: id, task_path, started_at, worker_ids.
Row = Mapping[str, Any]

MAX_BACKOFF = 30.0
MAX_CLAIMS = 5
KEEP_HEARTBEATS = datetime.timedelta(days=1)
LOST = "helsefellesskap.core.worker.WorkerLost"


class WorkerLost(Exception):
    """Recorded on a task that was taken by `MAX_CLAIMS` workers and finished by none."""


class Outcome(enum.Enum):
    RAN = "ran"  # a task ran: look for the next at once
    IDLE = "idle"  # nothing to do: wait for the interval
    STOP = "stop"  # --batch or --max-tasks is done


def backoff(failures: int) -> float:
    """1, 2, 4 … seconds after the first, second, third failed poll, at most MAX_BACKOFF."""
    return min(2.0 ** max(failures - 1, 0), MAX_BACKOFF)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else ""


def close_connections() -> None:
    """Drop this thread's database connections, broken or not; the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        with suppress(*CLOSE_ERRORS):  # it was broken already; Django forgets it either way
            connection.close()


class ResilientWorker(Worker):
    heartbeat_seconds = 5.0
    sweep_seconds = 30.0

    def __init__(self, *, lease_seconds: float, **options: Any) -> None:
        super().__init__(**options)
        self.lease = datetime.timedelta(seconds=lease_seconds)
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self._last_beat = -math.inf
        self._next_sweep = 0.0
        self._release_own = True  # at start: an earlier process with this id may have left tasks
        self._failures = 0
        self._down_since: float | None = None

    # --- The loop ---

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s lease=%ss",
            self.worker_id,
            ",".join(self.queue_names),
            int(self.lease.total_seconds()),
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        while self.running:
            try:
                outcome = self.step()
            except DATABASE_ERRORS as error:
                self.database_down(error)
                continue
            if outcome is Outcome.STOP:
                return
            if self.running and outcome is Outcome.IDLE:
                time.sleep(self.interval)

    def step(self) -> Outcome:
        """One poll: keep the heartbeat and the leases, take a ready task and run it."""
        close_old_connections()
        self.housekeeping()
        try:
            task = self.claim_next()
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            return Outcome.IDLE  # SQLite is busy elsewhere; it unlocks soon
        self.database_up()  # the poll went through: say so before the task runs
        if task is not None:
            self.run_task(task)
        if self.batch and task is None:
            logger.info("No more tasks for worker_id=%s - exiting.", self.worker_id)
            return Outcome.STOP
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Ran %d tasks on worker_id=%s - exiting.", self._run_tasks, self.worker_id)
            return Outcome.STOP
        close_old_connections()
        return Outcome.IDLE if task is None else Outcome.RAN

    def ready_tasks(self) -> Any:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def claim_next(self) -> DBTaskResult | None:
        tasks = self.ready_tasks()
        with exclusive_transaction(tasks.db):
            task: DBTaskResult | None = tasks.get_locked()
            if task is not None:
                task.claim(self.worker_id)  # RUNNING, with our id: no other worker takes it
        return task

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            with self.keepalive():
                super().run_task(db_task_result)
        finally:
            logs.task_id.set("")  # also when the task was cut off before it finished

    # --- Outages ---

    def database_down(self, error: BaseException) -> None:
        self._failures += 1
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.warning(
                "Database unavailable (%s: %s); worker_id=%s retries with pauses up to %d s",
                type(error).__name__,
                _first_line(error),
                self.worker_id,
                MAX_BACKOFF,
            )
        else:
            logger.debug("Database still unavailable: %s", _first_line(error))
        # A task interrupted by the outage is left RUNNING under our id: release it when the
        # database is back, and give the other workers time to beat before judging their leases.
        self._release_own = True
        self._next_sweep = math.inf
        close_connections()
        time.sleep(backoff(self._failures))

    def database_up(self) -> None:
        if self._down_since is None:
            return
        logger.info(
            "Database back after %.1f s (%d failed polls); worker_id=%s carries on",
            time.monotonic() - self._down_since,
            self._failures,
            self.worker_id,
        )
        self._down_since = None
        self._failures = 0
        self._next_sweep = time.monotonic() + 3 * self.heartbeat_seconds

    # --- Heartbeat ---

    def beat(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_beat < self.heartbeat_seconds:
            return
        now = timezone.now()
        values = {"host": self.host, "pid": self.pid, "started_at": self.started_at}
        if not WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
            beat_at=now, **values
        ):
            # The other thread of this worker may have written it a moment ago.
            with suppress(IntegrityError):
                WorkerHeartbeat.objects.create(worker_id=self.worker_id, beat_at=now, **values)
        self._last_beat = time.monotonic()

    @contextmanager
    def keepalive(self) -> Iterator[None]:
        """Beat from a thread while a task runs, so a long task keeps its lease."""
        stop = threading.Event()

        def keep_beating() -> None:
            try:
                while not stop.wait(self.heartbeat_seconds):
                    try:
                        self.beat(force=True)
                    except CLOSE_ERRORS as error:
                        logger.debug("Heartbeat not written: %s", _first_line(error))
                        close_connections()
            finally:
                close_connections()  # the thread's own connection

        thread = threading.Thread(target=keep_beating, name="heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=self.heartbeat_seconds)

    # --- Leases ---

    def housekeeping(self) -> None:
        self.beat()
        if self._release_own:
            self.sweep(others=False)
            self._release_own = False
        if time.monotonic() >= self._next_sweep:
            self.sweep(others=True)
            self._next_sweep = time.monotonic() + self.sweep_seconds

    def sweep(self, *, others: bool) -> int:
        """Put abandoned running tasks back in the queue; returns how many. Our own running
        tasks are abandoned whenever this runs (the loop runs no task then); another worker's
        once its lease has run out: started more than `lease` ago, and no beat within it."""
        now = timezone.now()
        cutoff = now - self.lease
        running: list[Row] = list(
            DBTaskResult.objects.running()
            .filter(backend_name=self.backend_name)
            .values("id", "task_path", "started_at", "worker_ids")
        )
        mine = [row for row in running if self._claimant(row) == self.worker_id]
        theirs: list[Row] = []
        if others:
            old = [
                row
                for row in running
                if self._claimant(row) != self.worker_id
                and (row["started_at"] is None or row["started_at"] < cutoff)
            ]
            alive = set(
                WorkerHeartbeat.objects.filter(
                    worker_id__in={self._claimant(row) for row in old}, beat_at__gte=cutoff
                ).values_list("worker_id", flat=True)
            )
            theirs = [row for row in old if self._claimant(row) not in alive]
            WorkerHeartbeat.objects.filter(beat_at__lt=now - KEEP_HEARTBEATS).delete()
        return sum(self.requeue(row, now) for row in [*mine, *theirs])

    @staticmethod
    def _claimant(row: Row) -> str:
        worker_ids = row["worker_ids"] or []
        return str(worker_ids[-1]) if worker_ids else ""

    def requeue(self, row: Row, now: datetime.datetime) -> bool:
        # The same start time: nobody has taken the task again since we read it.
        same_claim = DBTaskResult.objects.filter(
            pk=row["id"], status=TaskResultStatus.RUNNING, started_at=row["started_at"]
        )
        claims = len(row["worker_ids"] or [])
        if claims >= MAX_CLAIMS:
            done = same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=LOST,
                traceback=f"WorkerLost: taken by {claims} workers, finished by none\n",
            )
            if done:
                logger.error(
                    "Task id=%s path=%s abandoned %d times: marked failed",
                    row["id"],
                    row["task_path"],
                    claims,
                )
            return bool(done)
        done = same_claim.update(status=TaskResultStatus.READY)
        if done:
            logger.warning(
                "Task id=%s path=%s abandoned by worker_id=%s: queued again (claim %d)",
                row["id"],
                row["task_path"],
                self._claimant(row),
                claims,
            )
        return bool(done)
