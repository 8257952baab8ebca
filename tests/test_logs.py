"""Structured logs: one JSON line per request with its id, user, status and duration, one per
background task run with its task, id, status, duration and attempt, one traceback per failure,
and never what people wrote."""

import json
import logging

import pytest
from django.test import override_settings
from django_tasks import task

from helsefellesskap.core.logs import ContextFilter, JsonFormatter
from helsefellesskap.mail.services import email_queue_rendered
from helsefellesskap.mail.tests.backends import DOWN

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.errors_urls")]


def lines(caplog) -> list[dict]:
    formatter, context = JsonFormatter(), ContextFilter()
    out = []
    for record in caplog.records:
        context.filter(record)
        out.append(json.loads(formatter.format(record)))
    return out


def request_lines(caplog) -> list[dict]:
    return [line for line in lines(caplog) if line["logger"] == "helsefellesskap.request"]


def test_one_json_line_per_request_with_id_user_status_and_duration(client, world, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(world.member)
    response = client.get(f"/{world.community.slug}/?q=fritekst")
    [line] = request_lines(caplog)
    assert line["level"] == "INFO" and line["method"] == "GET" and line["status"] == 200
    assert line["path"] == f"/{world.community.slug}/"  # never the query string
    assert line["user_id"] == world.member.pk
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")
    assert line["request_id"] == response["X-Request-ID"]


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_junk_one_replaced(client, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    junk = client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert junk != "<script>" and len(junk) == 32


def test_a_failure_writes_one_traceback_tagged_with_the_request(client, caplog):
    caplog.set_level(logging.INFO)
    client.raise_request_exception = False
    response = client.get("/feil/500/")
    all_lines = lines(caplog)
    tracebacks = [line for line in all_lines if "traceback" in line]
    assert len(tracebacks) == 1
    assert "RuntimeError: a bug" in tracebacks[0]["traceback"]
    assert tracebacks[0]["request_id"] == response["X-Request-ID"]
    assert request_lines(caplog)[0]["status"] == 500


def test_what_people_write_never_reaches_the_log(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(world.secretariat)
    secret = "Pasienten ble sendt hjem uten epikrise"
    client.post(
        f"/{world.community.slug}/personer/ny/",
        {"given_name": secret, "family_name": secret, "email": "ny@example.no"},
    )
    client.get(f"/{world.community.slug}/?q={secret}")
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines(caplog))
    assert request_lines(caplog) and secret not in text


# --- Background tasks ----------------------------------------------------------------------------


@task()
def broken_task() -> None:
    raise RuntimeError("a broken task")


def task_lines(caplog) -> list[dict]:
    return [line for line in lines(caplog) if line["logger"] == "helsefellesskap.task"]


@pytest.fixture
def emit_context(caplog):
    """The request's and the task's ids on each record as it is logged, as the real handler does."""
    context = ContextFilter()
    caplog.handler.addFilter(context)
    yield
    caplog.handler.removeFilter(context)


def test_one_json_line_per_task_run_and_never_the_mail_body(
    caplog, emit_context, mailoutbox, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    secret = "Følg lenken https://example.no/konto/invitasjon/hemmelig-token/"
    with django_capture_on_commit_callbacks(execute=True):
        email_queue_rendered(to="a@example.no", subject="Emne", text_body=secret)
    assert len(mailoutbox) == 1
    [line] = task_lines(caplog)
    assert line["level"] == "INFO"
    assert line["task"] == "helsefellesskap.mail.services.deliver_email"
    assert line["task_status"] == "SUCCESSFUL" and line["attempt"] == 1
    assert line["duration_ms"] >= 0 and line["task_id"] and line["worker_id"]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines(caplog))
    assert "hemmelig-token" not in text


@override_settings(EMAIL_BACKEND=DOWN)
def test_what_a_task_logs_carries_the_task_id(
    caplog, emit_context, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        email_queue_rendered(to="a@example.no", subject="Emne", text_body="Tekst")
    [task_line] = task_lines(caplog)
    [failure] = [line for line in lines(caplog) if "failed (attempt 1)" in line["message"]]
    assert failure["task_id"] == task_line["task_id"]
    logging.getLogger("helsefellesskap").info("after the task")
    assert "task_id" not in lines(caplog)[-1]


def test_a_failed_task_logs_a_warning_line_and_one_traceback(caplog, emit_context):
    caplog.set_level(logging.INFO)
    broken_task.enqueue()
    [line] = task_lines(caplog)
    assert line["level"] == "WARNING" and line["task_status"] == "FAILED"
    assert line["task"].endswith("broken_task")
    tracebacks = [line for line in lines(caplog) if "traceback" in line]
    assert len(tracebacks) == 1 and "RuntimeError: a broken task" in tracebacks[0]["traceback"]
