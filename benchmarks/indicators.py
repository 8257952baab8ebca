"""Indicator engine benchmark: the standard set from millions of synthetic hospital stays.

    .venv/bin/python benchmarks/indicators.py                   # 10 million stays
    .venv/bin/python benchmarks/indicators.py --stays 2000000   # a quicker run
    make bench-indicators STAYS=2000000

It generates (once, into a temporary folder, or `--data-dir` to keep and reuse it) synthetic stays
of the reference municipalities with their populations scaled so that 2023-2025 hold `--stays`
stays, plus the first half of 2026 for the incremental step. Then, each in a fresh process of its
own so that its peak memory is its own, it runs:

1. the bare DuckDB query for 30-day readmissions, one hand-written statement over the Parquet
   file (the floor);
2. the product's whole standard set, `compute.compute_standard_set`, as the import task runs it
   (reading and checking every row, all six indicators, every cell);
3. the product's readmission figure alone (the same function, one computation);
4. a plain pandas implementation of the readmission figure (`merge_asof`); pandas cannot read
   Parquet here (no pyarrow), so DuckDB hands it the columns and that time is shown apart;
5. the incremental update: a store (`compute.EventStore`) built once from 2023-2025, then the
   first half of 2026 appended and the changed periods computed; the cells are compared with a
   full computation over all the stays.

It prints wall and CPU time, peak resident memory, the ratios against the bars and whether the
implementations agree to the last count (readmission numerators and denominators per municipality
and half-year). The machine's load average is printed too: other work shares the two cores, and
the wall times suffer from it more than the CPU times. Exit status 1 if the counts disagree."""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MUNICIPALITIES_CSV = ROOT / "helsefellesskap" / "demo" / "data" / "municipalities.csv"
BASE_YEARS = (2023, 2024, 2025)
ALL_YEARS = (2023, 2024, 2025, 2026)
INCREMENT_FROM, INCREMENT_TO = "2026-01-01", "2026-07-01"
GB = 1024**3

BARE_QUERY = """
WITH stays AS (
    SELECT patient_id, municipality, admitted_at, discharged_at, acute, inpatient
    FROM read_parquet($path)
    WHERE NOT municipal_acute_bed
),
index_stays AS (SELECT patient_id, municipality, discharged_at FROM stays WHERE inpatient),
acute_admissions AS (SELECT patient_id, admitted_at FROM stays WHERE acute AND inpatient)
SELECT i.municipality,
       year(i.discharged_at) || CASE WHEN month(i.discharged_at) > 6 THEN '-H2' ELSE '-H1' END,
       count(*) FILTER (WHERE a.admitted_at <= i.discharged_at + INTERVAL 30 DAY),
       count(*)
FROM index_stays i
ASOF LEFT JOIN acute_admissions a
  ON i.patient_id = a.patient_id AND i.discharged_at + INTERVAL 8 HOUR <= a.admitted_at
GROUP BY ALL
"""


# --- The workers: each runs in a process of its own -------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helsefellesskap.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _municipalities(scale: float = 1.0) -> list[tuple[str, int]]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return [
        (row["municipality_number"], round(int(row["population_2024_01_01"]) * scale))
        for row in rows
    ]


def _readmission_totals(cells: list[Any]) -> dict[str, list[int]]:
    totals: dict[str, list[int]] = {}
    for cell in cells:
        if cell.computation == "readmission_30d" and cell.period_kind == "half":
            total = totals.setdefault(f"{cell.municipality} {cell.period}", [0, 0])
            total[0] += cell.numerator
            total[1] += cell.denominator
    return totals


def work_generate(data: Path, stays: int, seed: int) -> dict[str, Any]:
    _django()
    import duckdb

    from helsefellesskap.indicators import synthetic

    scale = stays / synthetic.expected_stays(_municipalities(), BASE_YEARS)
    municipalities = _municipalities(scale)
    everything = data / "all.parquet"
    synthetic.generate_stays(everything, municipalities=municipalities, years=ALL_YEARS, seed=seed)
    counts = {}
    with duckdb.connect() as con:
        for name, condition in (
            ("base", f"admitted_at < '{INCREMENT_FROM}'"),
            ("increment", f"admitted_at >= '{INCREMENT_FROM}' AND admitted_at < '{INCREMENT_TO}'"),
            ("both", f"admitted_at < '{INCREMENT_TO}'"),
        ):
            target = data / f"{name}.parquet"
            select = f"SELECT * FROM read_parquet('{everything}') WHERE {condition}"  # noqa: S608
            con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet)")
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()  # noqa: S608
            counts[name] = rows[0][0]
    everything.unlink()
    population = [row.__dict__ for row in synthetic.population_rows(municipalities, ALL_YEARS)]
    (data / "population.json").write_text(json.dumps(population))
    return {"counts": counts, "municipalities": [number for number, _people in municipalities]}


def _population(data: Path) -> list[Any]:
    from helsefellesskap.indicators.compute import PopulationRow

    return [PopulationRow(**row) for row in json.loads((data / "population.json").read_text())]


def _names(data: Path) -> list[str]:
    return json.loads((data / "meta.json").read_text())["municipalities"]


def work_bare(data: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect() as con:
        rows = con.execute(BARE_QUERY, {"path": str(data / "base.parquet")}).fetchall()
    wall = time.perf_counter() - started
    return {"wall": wall, "totals": {f"{m} {p}": [int(n), int(d)] for m, p, n, d in rows}}


def work_product(data: Path, only_readmission: bool = False) -> dict[str, Any]:
    _django()
    from helsefellesskap.indicators import compute

    population, names = _population(data), _names(data)
    phases: list[tuple[float, str]] = []
    options: dict[str, Any] = {"computations": [compute.READMISSION]} if only_readmission else {}
    started = time.perf_counter()
    cells = compute.compute_standard_set(
        data / "base.parquet",
        population=population,
        municipalities=names,
        progress=lambda _percent, text: phases.append((time.perf_counter() - started, text)),
        **options,
    )
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "cells": len(cells),
        "totals": _readmission_totals(cells),
        "phases": phases,
    }


def work_pandas(data: Path) -> dict[str, Any]:
    import duckdb
    import numpy as np
    import pandas as pd

    started = time.perf_counter()
    with duckdb.connect() as con:
        stays = con.execute(
            "SELECT patient_id, municipality, admitted_at, discharged_at, acute, inpatient, "
            "municipal_acute_bed FROM read_parquet($path)",
            {"path": str(data / "base.parquet")},
        ).df()
    loaded = time.perf_counter() - started

    hospital = stays[~stays["municipal_acute_bed"]]
    index = hospital.loc[hospital["inpatient"], ["patient_id", "municipality", "discharged_at"]]
    index = index.assign(probe=index["discharged_at"] + pd.Timedelta(hours=8)).sort_values("probe")
    acute = hospital.loc[hospital["acute"] & hospital["inpatient"], ["patient_id", "admitted_at"]]
    acute = acute.sort_values("admitted_at")
    del stays, hospital
    matched = pd.merge_asof(
        index, acute, left_on="probe", right_on="admitted_at", by="patient_id", direction="forward"
    )
    matched["readmitted"] = matched["admitted_at"] <= matched["discharged_at"] + pd.Timedelta(
        days=30
    )
    discharged = matched["discharged_at"].dt
    matched["period"] = discharged.year.astype(str) + np.where(discharged.month > 6, "-H2", "-H1")
    grouped = matched.groupby(["municipality", "period"])["readmitted"].agg(["sum", "size"])
    wall = time.perf_counter() - started
    totals = {f"{m} {p}": [int(row["sum"]), int(row["size"])] for (m, p), row in grouped.iterrows()}
    return {"wall": wall, "load": loaded, "totals": totals}


def work_store_build(data: Path) -> dict[str, Any]:
    _django()
    from helsefellesskap.indicators import compute

    path = data / "store-base.duckdb"
    compute.EventStore(path).delete()
    started = time.perf_counter()
    compute.EventStore(path).append(data / "base.parquet")
    return {"wall": time.perf_counter() - started, "size": path.stat().st_size}


def work_incremental(data: Path) -> dict[str, Any]:
    from helsefellesskap.indicators import compute

    path = data / "store.duckdb"
    compute.EventStore(path).delete()
    shutil.copyfile(data / "store-base.duckdb", path)
    store = compute.EventStore(path)
    store.compute(population=[], municipalities=[])  # the base's periods: taken before
    phases: list[tuple[float, str]] = []
    started = time.perf_counter()
    affected = store.append(
        data / "increment.parquet",
        progress=lambda _percent, text: phases.append((time.perf_counter() - started, text)),
    )
    appended = time.perf_counter()
    cells = store.compute(population=_population(data), municipalities=_names(data))
    finished = time.perf_counter()
    cells_file = data / "incremental-cells.json"
    cells_file.write_text(json.dumps([cell.__dict__ for cell in cells], default=str))
    return {
        "wall": finished - started,
        "append": appended - started,
        "compute": finished - appended,
        "affected": affected,
        "cells": len(cells),
        "phases": phases,
    }


def work_full(data: Path) -> dict[str, Any]:
    """All the stays at once, for the periods the incremental step changed."""
    _django()
    from helsefellesskap.indicators import compute

    incremental = json.loads((data / "incremental-cells.json").read_text())
    periods = sorted({cell["period"] for cell in incremental})
    started = time.perf_counter()
    cells = compute.compute_standard_set(
        data / "both.parquet",
        population=_population(data),
        municipalities=_names(data),
        periods=periods,
    )
    wall = time.perf_counter() - started
    full = sorted(json.dumps(cell.__dict__, default=str, sort_keys=True) for cell in cells)
    again = sorted(json.dumps(cell, sort_keys=True) for cell in incremental)
    differing = len(set(full) ^ set(again))
    return {"wall": wall, "cells": len(cells), "identical": full == again, "differing": differing}


WORKERS = {
    "generate": work_generate,
    "bare": work_bare,
    "product": work_product,
    "product-readmission": lambda data: work_product(data, only_readmission=True),
    "pandas": work_pandas,
    "store-build": work_store_build,
    "incremental": work_incremental,
    "full": work_full,
}


def _worker_main(name: str, data: Path, extra: list[str]) -> None:
    if name not in ("bare", "pandas"):
        _django()  # loaded before the clock starts, as in the running product
    baseline = _rss_now()
    cpu_before = _cpu()
    if name == "generate":
        result = work_generate(data, int(extra[0]), int(extra[1]))
    else:
        result = WORKERS[name](data)
    result["cpu"] = _cpu() - cpu_before
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["baseline_rss"] = baseline
    print("RESULT " + json.dumps(result))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_now() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# --- The run ------------------------------------------------------------------------------------


def run(name: str, data: Path, *extra: str) -> dict[str, Any]:
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own argv
        [sys.executable, __file__, "--worker", name, "--data-dir", str(data), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode or not lines:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"The {name} step failed (exit status {completed.returncode}).")
    result = json.loads(lines[-1].removeprefix("RESULT "))
    result["process_wall"] = time.perf_counter() - started
    return result


def prepare(data: Path, stays: int, seed: int, *, rebuild_store: bool) -> dict[str, Any]:
    """The stays and the store built from 2023-2025, made once for a folder, stays and seed."""
    meta_path = data / "meta.json"
    wanted = {"stays": stays, "seed": seed}
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if {key: meta.get(key) for key in wanted} == wanted:
        print(f"Using the stays generated before in {data}.")
    else:
        print(f"Generating synthetic stays ({stays:,} in 2023-2025, seed {seed}) ...", flush=True)
        generated = run("generate", data, str(stays), str(seed))
        meta = {**wanted, **generated}
        (data / "store-base.duckdb").unlink(missing_ok=True)
        print(
            f"  {generated['counts']['base']:,} stays in 2023-2025 and "
            f"{generated['counts']['increment']:,} in 2026-H1 in {generated['process_wall']:.0f} s "
            f"(CPU {generated['cpu']:.0f} s, peak {generated['peak_rss'] / GB:.2f} GB)",
            flush=True,
        )
    meta_path.write_text(json.dumps(meta))
    if rebuild_store or not (data / "store-base.duckdb").exists():
        print("Building the event store from 2023-2025 (once) ...", flush=True)
        built = run("store-build", data)
        print(
            f"  {built['wall']:.1f} s (CPU {built['cpu']:.1f} s), "
            f"{built['size'] / 1024**2:.0f} MB on disk",
            flush=True,
        )
    return meta


def timed_rounds(names: list[str], data: Path, repeat: int) -> dict[str, dict[str, Any]]:
    """Each step `repeat` times, taking turns so that a change in the machine's load falls on
    all of them alike; per step the fastest run (by wall time) with the highest peak memory."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_number in range(repeat):
        for name in names:
            print(f"  round {round_number + 1}/{repeat}: {name}", flush=True)
            runs[name].append(run(name, data))
    best = {}
    for name, results in runs.items():
        fastest = dict(min(results, key=lambda result: result["wall"]))
        fastest["peak_rss"] = max(result["peak_rss"] for result in results)
        fastest["walls"] = [result["wall"] for result in results]
        best[name] = fastest
    return best


def _loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _agree(reference: dict[str, list[int]], other: dict[str, list[int]]) -> tuple[bool, int]:
    """Equal for the product's half-years (the others also count discharges in 2026-H1, which
    the product leaves out: the file has no admissions then); and how many cells differ."""
    periods = {key.split()[1] for key in reference}
    other = {key: value for key, value in other.items() if key.split()[1] in periods}
    keys = set(reference) | set(other)
    return other == reference, sum(1 for key in keys if reference.get(key) != other.get(key))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stays", type=int, default=10_000_000, help="stays in 2023-2025")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each DuckDB step; the best counts"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where to keep the stays (reused when it fits)"
    )
    parser.add_argument(
        "--skip-pandas", action="store_true", help="leave the (slow) pandas step out"
    )
    parser.add_argument(
        "--rebuild-store", action="store_true", help="build the store again from reused stays"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker_main(args.worker, args.data_dir, args.extra)
        return 0

    temporary = args.data_dir is None
    data = Path(tempfile.mkdtemp(prefix="hf-bench-indicators-")) if temporary else args.data_dir
    data.mkdir(parents=True, exist_ok=True)
    try:
        return _benchmark(data, args)
    finally:
        if temporary:
            shutil.rmtree(data, ignore_errors=True)


def _benchmark(data: Path, args: argparse.Namespace) -> int:
    import duckdb

    machine = platform.processor() or platform.machine()
    print(
        f"Indicator engine benchmark on {os.cpu_count()} cores ({machine}), DuckDB "
        f"{duckdb.__version__}, Python {platform.python_version()}; load average {_loadavg()}"
    )
    meta = prepare(data, args.stays, args.seed, rebuild_store=args.rebuild_store)
    base = meta["counts"]["base"]
    print(
        f"\n{base:,} stays in 2023-2025, {len(meta['municipalities'])} municipalities", flush=True
    )

    steps = ["bare", "product", "product-readmission", "incremental"]
    timed = timed_rounds(steps, data, args.repeat)
    if not args.skip_pandas:
        timed.update(timed_rounds(["pandas"], data, 1))
    print("  the full computation over all the stays, to check the incremental one", flush=True)
    full = run("full", data)

    _report_times(timed, meta, args.repeat)
    _report_bars(timed)
    agreed = _report_agreement(timed, full)
    print(f"\nLoad average at the end: {_loadavg()}")
    return 0 if agreed else 1


def _report_times(timed: dict[str, dict[str, Any]], meta: dict[str, Any], repeat: int) -> None:
    increment = meta["counts"]["increment"]
    labels = {
        "bare": "Bare DuckDB query, 30-day readmissions (floor)",
        "product": "Product: whole standard set (compute_standard_set)",
        "product-readmission": "Product: readmission figure only",
        "pandas": "Plain pandas: readmission figure",
        "incremental": f"Incremental: append 2026-H1 ({increment:,} stays) + compute",
    }
    print(f"\nBest of {repeat} runs (pandas: 1){'':26} wall s   CPU s   peak RSS   every wall")
    for name, label in labels.items():
        if name in timed:
            result = timed[name]
            walls = " ".join(f"{wall:.2f}" for wall in result["walls"])
            print(
                f"{label:58} {result['wall']:6.2f} {result['cpu']:7.2f} "
                f"{result['peak_rss'] / GB:6.2f} GB   {walls}"
            )
    if "pandas" in timed:
        print(
            f"  pandas: {timed['pandas']['load']:.2f} s of it is DuckDB handing pandas the columns "
            "(pandas cannot read Parquet here: no pyarrow)"
        )
    incremental, product = timed["incremental"], timed["product"]
    print(
        f"  incremental: append {incremental['append']:.2f} s + compute "
        f"{incremental['compute']:.2f} s; periods changed {', '.join(incremental['affected'])}"
    )
    updating = _phase_total(incremental, "Beregner")
    print(
        f"  of the incremental step, updating the indicators (the steps «Beregner ...») took "
        f"{updating:.2f} s and taking the cells {incremental['compute']:.2f} s; the rest is "
        "reading, checking and storing the new stays"
    )
    print(f"  standard set, as its progress bar shows it: {_steps(product)}")
    print(f"  incremental append, as its progress bar shows it: {_steps(incremental)}")
    print(
        "  Python, Django and DuckDB loaded before the clock starts: "
        f"{product['baseline_rss'] / GB:.2f} GB of the product's peak"
    )


def _report_bars(timed: dict[str, dict[str, Any]]) -> None:
    bare, product, incremental = timed["bare"], timed["product"], timed["incremental"]
    print("\nBars")
    ratio, cpu_ratio = product["wall"] / bare["wall"], product["cpu"] / bare["cpu"]
    print(
        f"  standard set / bare query: {ratio:.2f} (CPU time {cpu_ratio:.2f}); bar <= 2: "
        f"{_verdict(ratio <= 2)}"
    )
    if "pandas" in timed:
        pandas = timed["pandas"]
        speed = pandas["wall"] / timed["product-readmission"]["wall"]
        cpu_speed = pandas["cpu"] / timed["product-readmission"]["cpu"]
        print(
            f"  pandas / product readmission: {speed:.1f}x (CPU time {cpu_speed:.1f}x); bar >= 5x: "
            f"{_verdict(speed >= 5)}"
        )
    peak = max(
        result["peak_rss"] for name, result in timed.items() if name not in ("bare", "pandas")
    )
    print(
        f"  peak memory of the product's runs: {peak / GB:.2f} GB; bar < 2 GB: "
        f"{_verdict(peak < 2 * GB)}"
    )
    for name in ("bare", "pandas"):
        if name in timed:
            print(f"    ({name} peaked at {timed[name]['peak_rss'] / GB:.2f} GB)")
    print(
        f"  incremental update (append + compute): {incremental['wall']:.2f} s; bar < 1 s: "
        f"{_verdict(incremental['wall'] < 1)}"
    )


def _report_agreement(timed: dict[str, dict[str, Any]], full: dict[str, Any]) -> bool:
    print("\nAgreement (readmission numerator and denominator per municipality and half-year)")
    reference = timed["product"]["totals"]
    agreed = True
    for name in ("bare", "product-readmission", "pandas"):
        if name in timed:
            same, differing = _agree(reference, timed[name]["totals"])
            agreed &= same
            verdict = "yes" if same else f"NO, {differing} differ"
            print(f"  product standard set = {name}: {verdict} ({len(reference)} cells)")
    identical = bool(full["identical"])
    agreed &= identical
    verdict = "yes" if identical else f"NO, {full['differing']} differ"
    print(
        f"  incremental = the full computation over all the stays: {verdict} "
        f"({full['cells']} cells; "
        f"the full computation took {full['wall']:.1f} s)"
    )
    numerator = sum(value[0] for value in reference.values())
    denominator = sum(value[1] for value in reference.values())
    print(
        f"  all municipalities: {numerator:,} readmissions of {denominator:,} discharges "
        f"({numerator / denominator:.1%})"
    )
    return agreed


def _steps(result: dict[str, Any]) -> str:
    phases = result["phases"]
    return ", ".join(
        f"{text} {phases[i + 1][0] - at:.2f} s"
        for i, (at, text) in enumerate(phases[:-1])
        if phases[i + 1][0] - at >= 0.05
    )


def _phase_total(result: dict[str, Any], prefix: str) -> float:
    phases = result["phases"] + [(result["append"], "")]
    return sum(
        phases[i + 1][0] - at for i, (at, text) in enumerate(phases[:-1]) if text.startswith(prefix)
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


if __name__ == "__main__":
    sys.exit(main())
