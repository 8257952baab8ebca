"""Fault script: run the real thing on loopback and break its database or its mail server.

    .venv/bin/python benchmarks/faults.py --scenario db --outage 20
    .venv/bin/python benchmarks/faults.py --scenario mail --outage 300

It creates a scratch PostgreSQL database with the demo, starts gunicorn and the task worker with
the database behind a TCP proxy it can cut and the mail server replaced by a local SMTP sink,
drives health workers reporting deviations (some submits deliberately doubled, every failed
submit retried like a user pressing again), cuts the database or the mail server for the outage,
waits for the mail queue to drain and then checks, against the database and the sink, that every
acknowledged report was stored exactly once and every queued mail delivered exactly once.
See benchmarks/README.md for what each figure means. Exit status 0 only when all checks hold."""

import argparse
import atexit
import collections
import contextlib
import html
import http.client
import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg
from smtp_sink import SmtpSink
from tcp_proxy import CuttableProxy

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "demo-passord-2026"  # the demo's published password, see helsefellesskap/demo/
MARKER_TEXT = "Feiltest rapport"  # then " ft" and 12 letters: no digits for the guard to mind
# (login, community slug, the party the report concerns: one that has handlers, so it mails)
REPORTERS = [
    ("sykepleier.hnt@example.no", "nordre-trondelag", "Helse Nord-Trøndelag HF"),
    ("sykepleier.stolav@example.no", "st-olavs", "St. Olavs hospital HF"),
    ("lege.avdeling.hnt@example.no", "nordre-trondelag", "Steinkjer"),
    ("lege.avdeling.stolav@example.no", "st-olavs", "Trondheim"),
]
DETAIL_RE = re.compile(r"/avvik/(?P<number>[^/]+)/$")
TRACEBACK = "Traceback (most recent call last)"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Processes and the scratch database


class Processes:
    """Every child process and the scratch database, torn down once whatever happens."""

    def __init__(self, admin_url: str, db_name: str, keep: bool):
        self.admin_url = admin_url
        self.db_name = db_name
        self.keep = keep
        self.children: dict[str, subprocess.Popen] = {}
        self.db_created = False
        self.closers: list[Any] = []
        self._done = False

    def start(self, name: str, argv: list[str], env: dict[str, str], logfile: Path):
        out = logfile.open("ab")
        proc = subprocess.Popen(  # noqa: S603 - our own argv
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        self.children[name] = proc
        return proc

    def stop(self, name: str, grace: float = 10) -> int | None:
        proc = self.children.pop(name, None)
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        return proc.returncode

    def create_db(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True

    def cleanup(self) -> None:
        if self._done:
            return
        self._done = True
        for name in list(self.children):
            self.stop(name, grace=5)
        for close in self.closers:
            with contextlib.suppress(Exception):
                close()
        if self.db_created and not self.keep:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            log(f"dropped database {self.db_name}")
        elif self.db_created:
            log(f"kept database {self.db_name}")


def app_env(db_url: str, smtp_port: int, web_port: int, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DATABASE_URL=db_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}:{web_port}",
        # Plain HTTP on loopback: no redirect to https, no Secure-only cookies, no HSTS.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_HOST=HOST,
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="0",
        EMAIL_TIMEOUT="10",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_FORMAT="json",
        MEDIA_ROOT=str(media),
        PYTHONUNBUFFERED="1",
    )
    env.pop("TESTING", None)
    return env


def manage(args: list[str], env: dict[str, str], logfile: Path, timeout: float = 600) -> int:
    with logfile.open("ab") as out:
        return subprocess.run(  # noqa: S603 - our own argv
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        ).returncode


def worker_argv(override: str) -> list[str]:
    if override:
        return override.split()
    if list(ROOT.glob("helsefellesskap/*/management/commands/run_worker.py")):
        return [sys.executable, "manage.py", "run_worker"]
    return [sys.executable, "manage.py", "db_worker", "--interval", "1"]


# ---------------------------------------------------------------------------------------------
# HTTP clients


@dataclass
class Response:
    status: int
    headers: Any
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # we look at the redirect ourselves


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would send unchanged, plus the options of
    each select and the texts of error messages."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: list[Any] | None = None
        self._textarea: list[Any] | None = None
        self.errors: list[str] = []
        self._error_depth = 0
        self._error_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if self._error_depth:
            self._error_depth += 1
        elif a.get("role") == "alert" or "validation" in a.get("class", ""):
            self._error_depth, self._error_text = 1, []
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "fields": [], "selects": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "required": "required" in a, "options": []}
            self._form["selects"][name] = self._select
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if self._error_depth:
            self._error_depth -= 1
            if not self._error_depth:
                text = " ".join("".join(self._error_text).split())
                if text:
                    self.errors.append(text)
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None

    def handle_data(self, data):
        if self._error_depth:
            self._error_text.append(data)
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data


def parse(body: str) -> FormParser:
    parser = FormParser()
    parser.feed(body)
    return parser


def post_form(body: str, must_have: str) -> dict[str, Any] | None:
    for form in parse(body).forms:
        names = {name for name, _value in form["fields"]} | set(form["selects"])
        if form["method"] == "post" and must_have in names:
            return form
    return None


def fill(form: dict[str, Any], overrides: dict[str, str], prefer: dict[str, str]) -> list:
    """The form's fields as a browser would send them, with `overrides`, and for each select the
    option whose label contains `prefer[name]`, else the selected one, else (when required, or
    preferred) the first that is not empty."""
    fields = [(n, v) for n, v in form["fields"] if n not in overrides]
    for name, select in form["selects"].items():
        # An option without a value attribute sends its text, as in a browser.
        options = [
            (label.strip() if v is None else v, label, s) for v, label, s in select["options"]
        ]
        chosen = next((v for v, _label, s in options if s), None)
        if name in prefer:
            chosen = next((v for v, label, _s in options if prefer[name] in label), chosen)
        if not chosen and (select["required"] or name in prefer):
            chosen = next((v for v, _label, _s in options if v), None)
        if chosen is not None and name not in overrides:
            fields.append((name, chosen))
    fields.extend(overrides.items())
    return fields


@dataclass
class Stats:
    t0: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: collections.Counter = field(default_factory=collections.Counter)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    events: list = field(default_factory=list)  # (t, kind, status or None)
    markers: dict = field(default_factory=dict)  # marker -> "double" or "single"
    acks: dict = field(default_factory=lambda: collections.defaultdict(set))
    rejected: collections.Counter = field(default_factory=collections.Counter)
    gave_up: set = field(default_factory=set)
    samples: list = field(default_factory=list)
    durations: dict = field(default_factory=lambda: collections.defaultdict(list))
    form_tokens: int = 0  # report forms that carried a hidden form_token

    def record(self, kind: str, status: int | None, error: str, took: float) -> None:
        with self.lock:
            self.durations[kind].append(took)
            self.requests[kind] += 1
            self.statuses[status if status is not None else f"conn:{error}"] += 1
            self.events.append((time.monotonic() - self.t0, kind, status))

    def sample(self, text: str) -> None:
        with self.lock:
            if len(self.samples) < 8:
                self.samples.append(text[:300])


class Client:
    def __init__(self, base: str, login: str, slug: str, concerned: str, stats: Stats, args):
        self.base, self.login, self.slug, self.concerned = base, login, slug, concerned
        self.stats, self.args = stats, args
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect
        )
        self.report_path = f"/{slug}/avvik/ny/"
        self.rng = random.Random()  # noqa: S311 - load pattern, not security

    def request(self, kind: str, path: str, fields: list | None = None) -> Response | None:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(  # noqa: S310 - http on loopback only
            self.base + path, data=data, headers={"User-Agent": "hf-faults"}
        )
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.args.timeout) as reply:
                response = Response(reply.status, reply.headers, reply.read().decode())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.headers, error.read().decode(errors="replace"))
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            name = "timeout" if isinstance(reason, TimeoutError) else type(reason).__name__
            self.stats.record(kind, None, name, time.monotonic() - started)
            return None
        self.stats.record(kind, response.status, "", time.monotonic() - started)
        return response

    def backoff(self, attempt: int, stop: threading.Event | None = None) -> None:
        delay = min(0.5 * 2**attempt, 4.0) * self.rng.uniform(0.8, 1.2)
        if stop is not None:
            stop.wait(delay)
        else:
            time.sleep(delay)

    def sign_in(self, stop: threading.Event) -> bool:
        attempt = 0
        while not stop.is_set():
            page = self.request("login", "/konto/logg-inn/")
            form = post_form(page.body, "password") if page and page.status == 200 else None
            if form is not None:
                fields = fill(form, {"username": self.login, "password": PASSWORD}, {})
                reply = self.request("login", "/konto/logg-inn/", fields)
                if reply and reply.status == 302 and "logg-inn" not in reply.headers["Location"]:
                    return True
                if reply and reply.status < 500:
                    self.stats.sample(f"login {reply.status}: {parse(reply.body).errors}")
            self.backoff(attempt, stop)
            attempt += 1
        return False

    def report_form(self, stop: threading.Event) -> dict[str, Any] | None:
        attempt = 0
        while not stop.is_set():
            page = self.request("form", self.report_path)
            if page and page.status == 302 and "logg-inn" in page.headers["Location"]:
                self.sign_in(stop)
            elif page and page.status == 200:
                form = post_form(page.body, "description")
                if form is not None:
                    return form
                self.stats.sample(f"report page without form: {page.body[:200]}")
            self.backoff(attempt, stop)
            attempt += 1
        return None

    def submit(self, fields: list, marker: str) -> None:
        """One press of "Send avvik", and again (same form, same token) while the answer is an
        error or nothing, for up to `--patience` seconds, like a user who wants it sent."""
        started = time.monotonic()
        attempt = 0
        while True:
            reply = self.request("post", self.report_path, fields)
            if reply is not None and reply.status in (301, 302, 303):
                match = DETAIL_RE.search(urllib.parse.urlsplit(reply.headers["Location"]).path)
                if match and match["number"] != "ny":
                    with self.stats.lock:
                        self.stats.acks[marker].add(match["number"])
                    return
                self._reject(marker, f"redirect to {reply.headers['Location']}")
                return
            retry = reply is None or reply.status >= 500 or reply.status == 409
            if not retry:
                assert reply is not None
                self._reject(marker, f"{reply.status}: {parse(reply.body).errors[:2]}")
                return
            if time.monotonic() - started > self.args.patience:
                with self.stats.lock:
                    self.stats.gave_up.add(marker)
                return
            self.backoff(attempt)
            attempt += 1

    def _reject(self, marker: str, why: str) -> None:
        with self.stats.lock:
            self.stats.rejected[why.split(":")[0]] += 1
        self.stats.sample(f"{marker}: {why}")

    def run(self, stop: threading.Event) -> None:
        if not self.sign_in(stop):
            return
        while not stop.is_set():
            form = self.report_form(stop)
            if form is None:
                return
            marker = "ft" + "".join(self.rng.choices(string.ascii_lowercase, k=12))
            description = (
                f"{MARKER_TEXT} {marker}. Syntetisk melding fra feilskriptet, "
                "uten pasientopplysninger."
            )
            fields = fill(form, {"description": description}, {"concerned_party": self.concerned})
            double = self.rng.random() < self.args.double
            with self.stats.lock:
                self.stats.markers[marker] = "double" if double else "single"
                if any(name == "form_token" for name, _value in form["fields"]):
                    self.stats.form_tokens += 1
            if double:  # a double click: the same form twice at once
                twins = [
                    threading.Thread(target=self.submit, args=(fields, marker)) for _ in range(2)
                ]
                for twin in twins:
                    twin.start()
                for twin in twins:
                    twin.join()
            else:
                self.submit(fields, marker)
            stop.wait(self.args.think * self.rng.uniform(0.5, 1.5))


def probe_health(base: str, stats: Stats, stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        status: int | None
        try:
            with urllib.request.urlopen(base + "/helse/", timeout=5) as reply:  # noqa: S310
                status = reply.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            status = None
        with stats.lock:
            stats.events.append((time.monotonic() - stats.t0, "health", status))
        stop.wait(interval)


def run_cron(env, logfile: Path, every: float, stop: threading.Event, runs: list) -> None:
    """`send_queued_email` every `every` seconds, as the documented cron safety net does."""
    while not stop.wait(every):
        try:
            runs.append(manage(["send_queued_email"], env, logfile, timeout=120))
        except subprocess.TimeoutExpired:
            runs.append("timeout")


# ---------------------------------------------------------------------------------------------
# Checks against the database, the sink and the logs


def query_outcome(db_url: str, first_mail_id: int) -> dict[str, Any]:
    with psycopg.connect(db_url) as conn:
        stored = conn.execute(
            "SELECT number, description FROM deviations_deviation WHERE description LIKE %s",
            [f"%{MARKER_TEXT} ft%"],
        ).fetchall()
        mails = conn.execute(
            'SELECT lower("to"), subject, status, attempts FROM mail_outgoingemail WHERE id > %s',
            [first_mail_id],
        ).fetchall()
        tasks = conn.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        ).fetchall()
    by_marker = collections.defaultdict(list)
    for number, description in stored:
        match = re.search(rf"{MARKER_TEXT} (ft[a-z]+)", description)
        if match:
            by_marker[match[1]].append(number)
    return {"stored": dict(by_marker), "mails": mails, "tasks": dict(tasks)}


def mails_pending(db_url: str, first_mail_id: int) -> tuple[int, int, int]:
    """(pending, sent, failed) of the mails queued during the run."""
    with psycopg.connect(db_url, connect_timeout=5) as conn:
        rows = dict(
            conn.execute(
                "SELECT status, count(*) FROM mail_outgoingemail WHERE id > %s GROUP BY status",
                [first_mail_id],
            ).fetchall()
        )
    sent, failed = rows.get("sent", 0), rows.get("failed", 0)
    # Anything but sent or failed (queued, or being sent under a lease) is still on its way.
    return sum(rows.values()) - sent - failed, sent, failed


CHAINED = ("During handling of the above exception", "The above exception was the direct cause")
EXCEPTION_LINE = re.compile(r"^([\w.]+(?:Error|Exception|Exit|Interrupt))(?::|$)", re.M)


def scan_log(path: Path) -> dict[str, Any]:
    """Traceback blocks (a chain of tracebacks counts once), JSON records at level ERROR or
    above, lines that are not JSON, and the exceptions that end the tracebacks."""
    empty = {"tracebacks": 0, "errors": 0, "lines": 0, "unstructured": 0, "exceptions": {}}
    if not path.exists():
        return empty
    text = path.read_text(errors="replace")
    scan = {**empty, "lines": len(text.splitlines())}
    plain = []
    ends: collections.Counter = collections.Counter()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            scan["unstructured"] += 1
            plain.append(line)
            continue
        if str(record.get("level", "")).upper() in ("ERROR", "CRITICAL"):
            scan["errors"] += 1
        trace = str(record.get("traceback") or record.get("exc_info") or "")
        if TRACEBACK in trace:
            scan["tracebacks"] += 1
            ends.update(EXCEPTION_LINE.findall(trace)[-1:])
    rest = "\n".join(plain)
    scan["tracebacks"] += rest.count(TRACEBACK) - sum(rest.count(c) for c in CHAINED)
    ends.update(EXCEPTION_LINE.findall(rest))
    scan["exceptions"] = dict(ends.most_common(4))
    return scan


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def first_after(events, t: float, kinds: tuple[str, ...], ok) -> float | None:
    times = [at for at, kind, status in events if at >= t and kind in kinds and ok(status)]
    return round(min(times) - t, 1) if times else None


# ---------------------------------------------------------------------------------------------
# The run


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", choices=["db", "mail"], default="db")
    p.add_argument("--outage", type=float, default=20, help="seconds the fault lasts")
    p.add_argument("--db-fault", choices=["refuse", "hang"], default="refuse")
    p.add_argument("--mail-fault", choices=["refuse", "tempfail"], default="refuse")
    p.add_argument("--before", type=float, default=10, help="seconds of load before the fault")
    p.add_argument("--after", type=float, default=15, help="seconds of load after the fault")
    p.add_argument(
        "--drain", type=float, default=None, help="max seconds to wait for the mail queue"
    )
    p.add_argument("--clients", type=int, default=6)
    p.add_argument("--think", type=float, default=0.5, help="mean seconds between reports")
    p.add_argument("--double", type=float, default=0.15, help="share of doubled submits")
    p.add_argument("--patience", type=float, default=45, help="seconds a user keeps retrying")
    p.add_argument("--timeout", type=float, default=35, help="client timeout per request")
    p.add_argument("--web-workers", type=int, default=3)
    p.add_argument("--cron", type=float, default=60, help="send_queued_email every N s; 0=off")
    p.add_argument("--worker-cmd", default="", help="override the worker command line")
    p.add_argument(
        "--restart-worker", action="store_true", help="restart an exited worker, like systemd"
    )
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--keep", action="store_true", help="keep the scratch database")
    p.add_argument("--logs", default="", help="directory for logs (default: a new temp dir)")
    args = p.parse_args(argv)
    if args.drain is None:
        # Mail retries wait 1, 2, 4, 8 … minutes: after a mail outage of T the last mails may
        # wait up to about T + 4 minutes more.
        args.drain = 120 if args.scenario == "db" else args.outage * 2 + 300
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@dataclass
class Run:
    """Where everything of one run lives: ports, URLs, the log directory, the children."""

    args: argparse.Namespace
    logs: Path
    procs: Processes
    pg_port: int
    direct_url: str  # the scratch database, straight to PostgreSQL
    proxied_url: str  # the same, through the proxy: what the application uses
    web_port: int
    smtp_port: int
    proxy_port: int
    worker_exits: list = field(default_factory=list)  # (seconds since load start, exit code)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.web_port}"

    def env(self, db_url: str) -> dict[str, str]:
        return app_env(db_url, self.smtp_port, self.web_port, self.logs / "media")


@dataclass
class Timeline:
    """Seconds since the load started."""

    cut: float = 0
    restore: float = 0
    load_end: float = 0
    drained: float | None = None  # seconds after load_end, None when it never drained


def prepare(args) -> Run:
    logs = Path(args.logs or tempfile.mkdtemp(prefix="hf_faults_"))
    (logs / "media").mkdir(parents=True, exist_ok=True)
    db_name = f"hf_faults_{os.getpid()}"
    pg = urllib.parse.urlsplit(args.pg)
    proxy_port = free_port()
    return Run(
        args=args,
        logs=logs,
        procs=Processes(args.pg, db_name, args.keep),
        pg_port=pg.port or 5432,
        direct_url=pg._replace(path=f"/{db_name}").geturl(),
        proxied_url=pg._replace(
            netloc=f"{pg.username or 'postgres'}@{HOST}:{proxy_port}", path=f"/{db_name}"
        ).geturl(),
        web_port=free_port(),
        smtp_port=free_port(),
        proxy_port=proxy_port,
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    run = prepare(args)
    atexit.register(run.procs.cleanup)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background
    log(f"scenario {args.scenario}, outage {args.outage:g} s; logs in {run.logs}")
    try:
        return execute(run)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        run.procs.cleanup()


def setup_database(run: Run) -> bool:
    """The scratch database with the demo, straight to PostgreSQL (not through the proxy)."""
    run.procs.create_db()
    env = run.env(run.direct_url)
    log(f"created {run.procs.db_name}; migrate, load_demo, collectstatic …")
    for step, step_env in (
        (["migrate", "--no-input"], env),
        (["load_demo"], {**env, "DEBUG": "1"}),  # the demo refuses to load without DEBUG
        (["collectstatic", "--no-input", "-v0"], env),  # DEBUG=0 serves from the manifest
    ):
        if manage(step, step_env, run.logs / "setup.log") != 0:
            log(f"manage.py {step[0]} failed, see {run.logs / 'setup.log'}")
            return False
    return True


def start_app(run: Run) -> bool:
    """gunicorn and the worker, with the database through the proxy."""
    env = run.env(run.proxied_url)
    gunicorn = [str(VENV_BIN / "gunicorn"), "helsefellesskap.wsgi", "-b", f"{HOST}:{run.web_port}"]
    gunicorn += ["-w", str(run.args.web_workers), "--timeout", "30", "--graceful-timeout", "5"]
    run.procs.start("gunicorn", gunicorn, env, run.logs / "gunicorn.log")
    worker_cmd = worker_argv(run.args.worker_cmd)
    run.procs.start("worker", worker_cmd, env, run.logs / "worker.log")
    log(f"gunicorn on {run.base}; worker: {' '.join(worker_cmd[1:3])}")
    if not wait_healthy(run.base, 60):
        log(f"no 200 from /helse/ within 60 s, see {run.logs / 'gunicorn.log'}")
        return False
    return True


def watch_worker(run: Run, stats: "Stats", stop: threading.Event) -> None:
    """Note when the worker exits; with --restart-worker start it again after 5 s, as the
    documented systemd unit (Restart=always) would."""
    argv = worker_argv(run.args.worker_cmd)
    while not stop.wait(0.5):
        proc = run.procs.children.get("worker")
        if proc is None or proc.poll() is None:
            continue
        run.worker_exits.append((round(time.monotonic() - stats.t0, 1), proc.returncode))
        log(f"  the worker exited with {proc.returncode}")
        if not run.args.restart_worker:
            return
        run.procs.children.pop("worker")
        if not stop.wait(5):
            run.procs.start("worker", argv, run.env(run.proxied_url), run.logs / "worker.log")


def execute(run: Run) -> int:
    args = run.args
    if not setup_database(run):
        return 2
    proxy = CuttableProxy((HOST, run.pg_port), (HOST, run.proxy_port), mode=args.db_fault)
    proxy.start()
    run.procs.closers.append(proxy.stop)
    sink = SmtpSink(HOST, run.smtp_port)
    sink.start()
    run.procs.closers.append(sink.stop)
    if not start_app(run):
        return 2
    first_mail_id = max_mail_id(run.direct_url)

    stats = Stats(t0=time.monotonic())
    timeline = Timeline()
    stop_load, stop_bg = threading.Event(), threading.Event()
    clients = [
        threading.Thread(
            target=Client(run.base, *REPORTERS[i % len(REPORTERS)], stats, args).run,
            args=(stop_load,),
            name=f"client-{i}",
            daemon=True,
        )
        for i in range(args.clients)
    ]
    background = [
        threading.Thread(target=probe_health, args=(run.base, stats, stop_bg, 0.5)),
        threading.Thread(target=watch_worker, args=(run, stats, stop_bg)),
    ]
    cron_runs: list = []
    if args.cron > 0:
        cron_env = run.env(run.proxied_url)
        cron_args = (cron_env, run.logs / "cron.log", args.cron, stop_bg, cron_runs)
        background.append(threading.Thread(target=run_cron, args=cron_args))
    for thread in clients + background:
        thread.daemon = True
        thread.start()

    log(f"load: {args.clients} clients for {args.before:g} s")
    time.sleep(args.before)
    timeline.cut = time.monotonic() - stats.t0
    if args.scenario == "db":
        log(f"cutting the database ({args.db_fault}) for {args.outage:g} s")
        proxy.cut()
    else:
        log(f"stopping the mail server ({args.mail_fault}) for {args.outage:g} s")
        sink.fail(args.mail_fault)
    wait_with_progress(args.outage, stats)
    timeline.restore = time.monotonic() - stats.t0
    if args.scenario == "db":
        proxy.restore()
    else:
        sink.recover()
    log(f"restored; load for {args.after:g} s more")
    time.sleep(args.after)
    stop_load.set()
    for thread in clients:
        thread.join(args.patience + args.timeout + 10)
    timeline.load_end = time.monotonic() - stats.t0
    log(f"load stopped ({sum(stats.requests.values())} requests)")

    timeline.drained = drain(run, first_mail_id)
    stop_bg.set()
    time.sleep(1)
    worker = run.procs.children.get("worker")
    worker_alive = worker is not None and worker.poll() is None
    outcome = query_outcome(run.direct_url, first_mail_id)
    run.procs.stop("worker")
    run.procs.stop("gunicorn")
    summary = summarise(run, stats, outcome, sink, proxy, timeline, worker_alive, cron_runs)
    (run.logs / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print_summary(summary)
    log(f"logs and summary.json in {run.logs}")
    return 0 if summary["pass"] else 1


def wait_healthy(base: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(Exception),
            urllib.request.urlopen(base + "/helse/", timeout=5) as reply,  # noqa: S310
        ):
            if reply.status == 200:
                return True
        time.sleep(0.5)
    return False


def max_mail_id(db_url: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM mail_outgoingemail").fetchone()
    return int(row[0]) if row else 0


def wait_with_progress(seconds: float, stats: Stats) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 30))
        if end - time.monotonic() > 1:
            with stats.lock:
                fives = sum(n for s, n in stats.statuses.items() if isinstance(s, int) and s >= 500)
            log(f"  … {end - time.monotonic():.0f} s of outage left; 5xx so far {fives}")


def drain(run: Run, first_mail_id: int) -> float | None:
    """Seconds (since the start of the wait) until no mail of the run is queued, or None."""
    timeout = run.args.drain
    log(f"waiting up to {timeout:.0f} s for the mail queue to drain")
    start = time.monotonic()
    last_report = 0.0
    while (waited := time.monotonic() - start) < timeout:
        pending, sent, failed = mails_pending(run.direct_url, first_mail_id)
        if pending == 0:
            log(f"  queue drained after {waited:.0f} s (sent {sent}, failed {failed})")
            return waited
        worker = run.procs.children.get("worker")
        worker_dead = worker is None or worker.poll() is not None
        if worker_dead and not run.args.restart_worker and run.args.cron <= 0:
            log(f"  the worker is gone and there is no cron: {pending} mails stay queued")
            return None
        if waited - last_report >= 30:
            log(f"  {pending} pending, {sent} sent, {failed} failed after {waited:.0f} s")
            last_report = waited
        time.sleep(2)
    log(f"  not drained after {timeout:.0f} s")
    return None


def summarise(
    run: Run,
    stats: Stats,
    outcome,
    sink,
    proxy,
    timeline: Timeline,
    worker_alive: bool,
    cron_runs: list,
) -> dict[str, Any]:
    args = run.args
    t_cut, t_restore = timeline.cut, timeline.restore
    events = list(stats.events)
    client = [e for e in events if e[1] != "health"]
    health = [e for e in events if e[1] == "health"]

    def phase(at):
        return "before" if at < t_cut else "outage" if at < t_restore else "after"

    fives = collections.Counter(phase(at) for at, _k, s in client if s is not None and s >= 500)
    conn_errors = collections.Counter(phase(at) for at, _k, s in client if s is None)

    acked = {m for m, numbers in stats.acks.items() if numbers}
    stored = outcome["stored"]
    stored_markers = {m for m in stored if m in stats.markers}
    foreign = set(stored) - set(stats.markers)
    dup_reports = sum(len(numbers) - 1 for numbers in stored.values())
    doubles = [m for m, how in stats.markers.items() if how == "double"]
    ack_numbers_mismatch = sum(
        1 for m in acked if m in stored and not stats.acks[m] <= set(stored[m])
    )

    mails = outcome["mails"]
    mail_status = collections.Counter(status for _to, _s, status, _a in mails)
    queued_keys = collections.Counter((to, subject) for to, subject, _st, _a in mails)
    received = sink.snapshot()
    got = collections.Counter((r.recipient, r.subject) for r in received)
    delivered = sum(min(n, got[key]) for key, n in queued_keys.items())
    dup_mails = sum(max(0, got[key] - n) for key, n in queued_keys.items())
    unknown = sum(n for key, n in got.items() if key not in queued_keys)
    after_restore = [r.at - stats.t0 - t_restore for r in received if r.at - stats.t0 >= t_restore]

    ok_status = lambda s: s is not None and s < 500  # noqa: E731
    recovery = {
        "first_success_s": first_after(client, t_restore, ("form", "post", "login"), ok_status),
        "first_ack_s": first_after(
            client, t_restore, ("post",), lambda s: s is not None and 300 <= s < 400
        ),
        "health_200_s": first_after(health, t_restore, ("health",), lambda s: s == 200)
        if any(s != 200 for at, _k, s in health if t_cut <= at < t_restore)
        else 0,  # it never stopped answering 200
        "first_mail_s": round(min(after_restore), 1) if after_restore else None,
        "queue_drained_s": round(timeline.load_end - t_restore + timeline.drained, 1)
        if timeline.drained is not None
        else None,
    }
    health_fail = collections.Counter(
        phase(at) for at, _k, s in health if s != 200
    )  # 503 or no answer
    logs_scan = {n: scan_log(run.logs / f"{n}.log") for n in ("gunicorn", "worker", "cron")}

    reasons = []
    if acked - stored_markers:
        reasons.append(f"{len(acked - stored_markers)} acknowledged reports not stored")
    if stored_markers - acked:
        reasons.append(f"{len(stored_markers - acked)} stored reports the user was not told of")
    if dup_reports:
        reasons.append(f"{dup_reports} duplicate reports")
    if ack_numbers_mismatch:
        reasons.append(f"{ack_numbers_mismatch} acks pointing at another deviation")
    if delivered != len(mails):
        reasons.append(f"{len(mails) - delivered} queued mails not delivered")
    if dup_mails:
        reasons.append(f"{dup_mails} duplicate mails")
    if run.worker_exits:
        reasons.append(f"the worker exited {len(run.worker_exits)} times {run.worker_exits}")
    return {
        "scenario": args.scenario,
        "outage_s": args.outage,
        "fault": args.db_fault if args.scenario == "db" else args.mail_fault,
        "clients": args.clients,
        "phases_s": {"cut": round(t_cut, 1), "restore": round(t_restore, 1)},
        "requests": dict(stats.requests),
        "seconds_p95_max": {
            kind: [round(percentile(times, 0.95), 2), round(max(times), 2)]
            for kind, times in stats.durations.items()
        },
        "requests_sent": sum(v for k, v in stats.requests.items()),
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items(), key=str)},
        "5xx": dict(fives),
        "connection_errors": dict(conn_errors),
        "reports": {
            "submitted": len(stats.markers),
            "doubled": len(doubles),
            "with_form_token": stats.form_tokens,
            "acknowledged": len(acked),
            "stored": len(stored_markers),
            "stored_rows": sum(len(stored[m]) for m in stored_markers),
            "duplicates": dup_reports,
            "acknowledged_not_stored": len(acked - stored_markers),
            "stored_not_acknowledged": len(stored_markers - acked),
            "doubled_stored_twice": sum(1 for m in doubles if len(stored.get(m, [])) > 1),
            "rejected": dict(stats.rejected),
            "gave_up": len(stats.gave_up),
            "foreign_rows": len(foreign),
        },
        "mails": {
            "queued": len(mails),
            "by_status": dict(mail_status),
            "max_attempts": max((a for *_x, a in mails), default=0),
            "delivered": delivered,
            "duplicates": dup_mails,
            "unknown_received": unknown,
            "sink_deferred": sink.deferred,
        },
        "tasks": outcome["tasks"],
        "recovery": recovery,
        "health_not_200": dict(health_fail),
        "worker_alive": worker_alive,
        "worker_exits": run.worker_exits,
        "cron_runs": cron_runs,
        "proxy": {"accepted": proxy.accepted, "killed": proxy.killed},
        "logs": logs_scan,
        "samples": stats.samples,
        "pass": not reasons,
        "failures": reasons,
    }


def print_summary(s: dict[str, Any]) -> None:
    r, m, rec = s["reports"], s["mails"], s["recovery"]
    fives = sum(s["5xx"].values())
    conn = sum(s["connection_errors"].values())

    def seconds(value):
        return "never" if value is None else f"{value:g} s"

    lines = [
        f"== {s['scenario']} outage of {s['outage_s']:g} s ({s['fault']}), "
        f"{s['clients']} clients ==",
        f"requests sent             {s['requests_sent']}  {s['requests']}",
        f"statuses                  {s['statuses']}",
        f"request seconds (p95,max) {s['seconds_p95_max']}",
        f"5xx responses             {fives}  {s['5xx']}",
        f"connection errors         {conn}  {s['connection_errors']}",
        f"reports acknowledged      {r['acknowledged']}  (of {r['submitted']} submitted, "
        f"{r['doubled']} doubled, {r['with_form_token']} with a form_token, "
        f"{r['gave_up']} given up, rejected {r['rejected']})",
        f"reports stored            {r['stored']}  ({r['stored_rows']} rows, "
        f"{r['duplicates']} duplicates, {r['doubled_stored_twice']} doubled submits stored twice)",
        f"  acknowledged not stored {r['acknowledged_not_stored']}; "
        f"stored not acknowledged {r['stored_not_acknowledged']}",
        f"mails queued              {m['queued']}  {m['by_status']} "
        f"(max attempts {m['max_attempts']})",
        f"mails delivered           {m['delivered']}  ({m['duplicates']} duplicates, "
        f"{m['unknown_received']} unknown, {m['sink_deferred']} deferred by the sink)",
        f"recovery after the fault  first success {seconds(rec['first_success_s'])}, "
        f"first acknowledged report {seconds(rec['first_ack_s'])}, "
        f"/helse/ 200 {seconds(rec['health_200_s'])}, first mail {seconds(rec['first_mail_s'])}, "
        f"mail queue drained {seconds(rec['queue_drained_s'])}",
        f"/helse/ not 200           {s['health_not_200']}",
        f"worker alive              {'yes' if s['worker_alive'] else 'no'}"
        + (f"; exits (s, code): {s['worker_exits']}" if s["worker_exits"] else ""),
        f"tasks by status           {s['tasks']}",
        "tracebacks in logs        "
        + ", ".join(f"{name} {v['tracebacks']}" for name, v in s["logs"].items())
        + "; error lines "
        + ", ".join(f"{name} {v['errors']}" for name, v in s["logs"].items())
        + "; non-JSON lines "
        + ", ".join(f"{name} {v['unstructured']}" for name, v in s["logs"].items()),
    ]
    for name, scan in s["logs"].items():
        if scan["exceptions"]:
            lines.append(f"  {name} exceptions: {scan['exceptions']}")
    for sample in s["samples"]:
        lines.append(f"  sample: {html.unescape(sample)}")
    lines.append("RESULT: " + ("PASS" if s["pass"] else "FAIL: " + "; ".join(s["failures"])))
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
