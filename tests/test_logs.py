"""Structured logs: one JSON line per request with its id, user, status and duration, one
traceback per failure, and never what people wrote."""

import json
import logging

import pytest

from helsefellesskap.core.logs import ContextFilter, JsonFormatter

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
