"""Background tasks of the loads: each claims its load, does its step and records the outcome on
the load (see the flow in `services`). They may run twice (a worker's lease ran out) and then do
the work once."""

from django_tasks import task

from . import services


def _status(load) -> str:
    return load.status if load is not None else "gone"


@task()
def preview_load(load_id: int) -> str:
    """Read and check a table, and work out what it would change."""
    return _status(services.load_preview_run(load_id))


@task()
def apply_load(load_id: int) -> str:
    """Write a confirmed table in one transaction."""
    return _status(services.load_apply_run(load_id))


@task()
def compute_events(load_id: int) -> str:
    """Compute the standard set from an event file, store the figures, delete the file."""
    return _status(services.load_events_run(load_id))
