"""`manage.py run_worker`: the background worker of every real run. The options of
django_tasks_db's `db_worker` (`--queue-name`, `--interval`, `--batch`, `--max-tasks`,
`--worker-id`, `--reload` …) plus `--lease`; the worker survives database outages and takes back
tasks abandoned by a killed worker (see `core.worker`)."""

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands import db_worker

from helsefellesskap.core.worker import ResilientWorker

LEVELS = {0: logging.CRITICAL, 1: logging.INFO}


class Command(db_worker.Command):
    help = (
        "Run the background worker: tasks from the database queue, through database outages, "
        "with a heartbeat and leases on running tasks."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lease",
            type=db_worker.valid_interval,
            default=settings.TASK_LEASE_SECONDS,
            help="Seconds without a heartbeat after which another worker's running task is "
            "queued again (default: TASK_LEASE_SECONDS, %(default)r)",
        )

    def configure_logging(self, verbosity: int) -> None:
        """Levels only: the project's LOGGING writes every line (JSON in production). Django
        tasks' own started/finished lines give way to core.logs' one line per task; its failure
        line, with the traceback, stays."""
        level = LEVELS.get(verbosity, logging.DEBUG)
        for name in ("django_tasks_db", "helsefellesskap.worker"):
            logging.getLogger(name).setLevel(level)
        tasks_level = logging.WARNING if verbosity == 1 else level
        logging.getLogger(TASKS_LOGGER).setLevel(tasks_level)

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        reload = options["reload"]
        if reload and options["batch"]:
            reload = False  # a batch ends by itself; reloading would start it again
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            lease_seconds=options["lease"],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
