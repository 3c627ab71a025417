"""Alexa Care and Home Assistant core's alexa_devices, side by side.

    python -m devtools.benchmark [--sizes 10 100 500] [--repeat 3] [--polls 5]
                                 [--output FILE]

Alexa Care's modules are compiled first, as core's were when pip installed
them. For each account size, one Amazon emulator (devtools.amazon_emulator,
in a process of its own, so its CPU time is not ours) serves both
integrations in turn, `--repeat` times. Each integration runs in a fresh
subprocess with a real Home Assistant (devtools.benchmark_hass): it is added
through its own config flow with the emulator's demo login, its push channel
is measured and left open for an idle hour run on its coordinator's
schedule (devtools.benchmark_idle), then its coordinator is refreshed a few
times. Per size and integration the run reports the Amazon requests of a
steady poll (the emulator's counters), the event loop's CPU time and the
wall time of a poll, the setup time of the config entry, the resident
memory the setup added (the median of the runs) and the states written in
the idle hour; then a Markdown table with the ratios ours/theirs, and the
raw results as JSON. `--trace-memory N` shows where setup's memory goes
(devtools.benchmark_memory).

Home Assistant's Amazon traffic reaches the emulator through the launcher's
routing (devtools.hass_with_emulator), set up in the subprocess before Home
Assistant is imported: its aiohttp connectors, and httpx, which core's
integration uses for its HTTP/2 push channel, so that no request of the
benchmark reaches the real Amazon. Both push channels are open during setup
and the idle hour, and stopped before the polls.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Sequence
import compileall
from dataclasses import asdict
import json
import os
from pathlib import Path
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from devtools.amazon_emulator.routing import route_httpx
from devtools.benchmark_memory import markdown_lines
from devtools.benchmark_spec import RunSpec
from devtools.emulator_process import RunningEmulator, emulator_process

PROJECT_DIR = Path(__file__).resolve().parent.parent
INTEGRATIONS = ("alexa_care", "alexa_devices")
LABELS = {"alexa_care": "Alexa Care", "alexa_devices": "core alexa_devices"}
RUN_TIMEOUT_SECONDS = 300.0
# The emulator's access log line: amazon-emulator: HOST "METHOD /path HTTP/1.1" 200
ACCESS_LOG = re.compile(
    r'(?P<host>\S+) "(?P<method>[A-Z]+) (?P<path>[^ ?"]+)[^"]*" (?P<status>\d{3})'
)
MIB = 1024 * 1024
# aioamazondevices pings an open push channel this often (implementation/http2.py).
PING_SECONDS = 280
# Requests an idle account costs besides its polls: Alexa Care reads the
# Echo list once an hour (amazon/device_list.py).
EXTRA_PER_HOUR = {"alexa_care": 1.0}
# A path segment that is a serial number, device type or session id.
ID_SEGMENT = re.compile(r"/(?=[A-Z0-9-]*[0-9])[A-Z0-9-]{8,}(?=/|$)")

type Json = dict[str, Any]


# ---------------------------------------------------------------- subprocess


def _run_in_subprocess(spec: RunSpec, result_file: Path) -> None:
    """Route Amazon to the emulator, then import Home Assistant and measure."""
    from devtools.hass_with_emulator import route_amazon, trust_emulator_ca  # noqa: PLC0415 # no Home Assistant yet

    trust_emulator_ca(Path(spec.ca_certificate))
    route_amazon(spec.emulator_port)
    route_httpx(spec.emulator_port, spec.push_port)
    from devtools import benchmark_hass  # noqa: PLC0415 # imports Home Assistant

    result = asyncio.run(benchmark_hass.run(spec))
    result_file.write_text(json.dumps(result, indent=1))


# ---------------------------------------------------------------- orchestration


def _statuses(log: Path, start: int) -> tuple[Json, int]:
    """Non-2xx answers in the emulator's access log from byte `start` on."""
    with log.open("rb") as file:
        file.seek(start)
        text = file.read().decode(errors="replace")
        end = file.tell()
    counts: Counter[str] = Counter()
    for match in ACCESS_LOG.finditer(text):
        if not match["status"].startswith("2"):
            key = f"{match['status']} {match['method']} {match['host']}{match['path']}"
            counts[key] += 1
    return dict(sorted(counts.items())), end


def run_one(
    spec: RunSpec, emulator: RunningEmulator, work_dir: Path, repeat: int
) -> Json:
    """Measure one integration at one size in a fresh subprocess."""
    name = f"{spec.integration}-{spec.echos}-{repeat}"
    spec_file = work_dir / f"{name}.spec.json"
    result_file = work_dir / f"{name}.result.json"
    log = work_dir / f"{name}.log"
    spec_file.write_text(json.dumps(asdict(spec)))
    log_offset = emulator.log.stat().st_size
    command = [sys.executable, "-m", "devtools.benchmark", "--run", str(spec_file)]
    command += ["--result", str(result_file)]
    started = time.perf_counter()
    with log.open("wb") as log_file:
        completed = subprocess.run(  # noqa: S603 # our own module, our arguments
            command,
            cwd=PROJECT_DIR,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            timeout=RUN_TIMEOUT_SECONDS,
            check=False,
        )
    result: Json = (
        json.loads(result_file.read_text())
        if result_file.exists()
        else {"integration": spec.integration, "echos": spec.echos}
    )
    if completed.returncode:
        result.setdefault(
            "error", f"exit code {completed.returncode}: {log.read_text()[-1500:]}"
        )
    result["run_seconds"] = time.perf_counter() - started
    result["non_2xx_answers"], _ = _statuses(emulator.log, log_offset)
    return result


def compile_ours() -> None:
    """Compile Alexa Care's modules, as pip compiled core's when it installed them.

    Home Assistant writes the bytecode of a custom integration at its first
    start; where Python is told not to write bytecode, every run would
    compile ours again, and charge the compiler's memory to our setup.
    """
    compileall.compile_dir(PROJECT_DIR / "custom_components", quiet=1)


def run_all(args: argparse.Namespace, work_dir: Path) -> list[Json]:
    """Every (size, integration) pair `--repeat` times; one emulator per size."""
    results: list[Json] = []
    for echos in args.sizes:
        with emulator_process(
            echos=echos,
            plugs=args.plugs,
            cert_dir=work_dir / "tls",
            work_dir=work_dir,
            log=work_dir / f"emulator-{echos}.log",
        ) as emulator:
            # Taken in turn, so that the machine's drift meets both alike.
            for repeat, integration in (
                (repeat, integration)
                for repeat in range(args.repeat)
                for integration in args.integrations
            ):
                print(
                    f"  {LABELS[integration]}, {echos} Echos, run {repeat + 1} …",
                    flush=True,
                )
                spec = RunSpec(
                    integration=integration,
                    echos=echos,
                    emulator_port=emulator.port,
                    push_port=emulator.push_port,
                    control_port=emulator.control_port,
                    ca_certificate=str(emulator.ca_certificate),
                    polls=args.polls,
                    warmup=args.warmup,
                    trace_memory=args.trace_memory,
                )
                result = run_one(spec, emulator, work_dir, repeat)
                result["plugs"] = args.plugs
                result["repeat"] = repeat
                results.append(result)
                if error := result.get("error"):
                    print(f"    failed: {error.splitlines()[0]}", flush=True)
    return results


# ---------------------------------------------------------------- report


def _rss_added(result: Json, after: str = "rss_after_setup_bytes") -> float | None:
    """RSS added since before the config flow, as read at `after`, in MiB."""
    before, then = result.get("rss_before_bytes"), result.get(after)
    return None if before is None or then is None else (then - before) / MIB


def _median_rss(runs: list[Json], after: str) -> float | None:
    rss = [added for run in runs if (added := _rss_added(run, after)) is not None]
    return statistics.median(rss) if rss else None


def _metrics(runs: list[Json]) -> dict[str, float | None]:
    """The first run's figures; memory, which moves from run to run, the median's."""
    result = runs[0] if runs else {}
    polls = result.get("poll_summary") or {}
    setup = result.get("setup") or {}
    push = result.get("push") or {}
    idle = result.get("idle_hour") or {}
    return {
        "Amazon requests per poll": polls.get("requests_mean"),
        "loop CPU per poll (ms)": _scaled(polls.get("loop_cpu_s_mean"), 1000),
        "wall time per poll (ms)": _scaled(polls.get("wall_s_mean"), 1000),
        "setup time (s)": setup.get("wall_s"),
        "setup loop CPU (s)": setup.get("loop_cpu_s"),
        "Amazon requests at setup": _total(setup.get("requests")),
        "RSS added by setup (MiB)": _median_rss(runs, "rss_after_setup_bytes"),
        "RSS added after the polls (MiB)": _median_rss(runs, "rss_after_polls_bytes"),
        "entities": (result.get("registry") or {}).get("entities"),
        "Amazon requests per hour, idle, push open": requests_per_hour(
            push, idle, polls.get("requests_mean"), result.get("integration", "")
        ),
        "state writes per idle hour, push open": idle.get("state_writes"),
        "do not disturb: event to state (s)": push.get("do_not_disturb_s"),
        "Echo offline: event to state (s)": push.get("echo_offline_s"),
    }


def requests_per_hour(
    push: Json, idle: Json, requests_per_poll: float | None, integration: str
) -> float | None:
    """An idle account's Amazon requests in an hour, with the channel open.

    The refreshes are those the idle hour fired on the coordinator's own
    schedule, not the interval read at one moment: right after the channel
    opens, the interval may not have been lengthened yet.
    """
    refreshes: int | None = idle.get("refreshes")
    if not push.get("channel_open") or refreshes is None or requests_per_poll is None:
        return None
    return (
        refreshes * requests_per_poll
        + 3600 / PING_SECONDS
        + EXTRA_PER_HOUR.get(integration, 0.0)
    )


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _total(requests: dict[str, int] | None) -> float | None:
    return None if requests is None else float(sum(requests.values()))


def _format(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 100 or value == int(value):  # noqa: PLR2004
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"  # noqa: PLR2004


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "—"
    ratio = ours / theirs
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"  # noqa: PLR2004


def _grouped(counts: dict[str, float]) -> dict[str, float]:
    """Counts by host/path, with serial numbers and other ids as {id}."""
    grouped: dict[str, float] = {}
    for path, count in counts.items():
        key = ID_SEGMENT.sub("/{id}", path)
        grouped[key] = grouped.get(key, 0) + count
    return dict(sorted(grouped.items()))


def _rss_of_each_run(by_key: dict[tuple[str, int], list[Json]]) -> list[str]:
    lines = []
    for (integration, echos), runs in sorted(by_key.items(), key=lambda kv: kv[0][1]):
        listed = ", ".join(
            "—" if (added := _rss_added(run)) is None else f"{added:.1f}"
            for run in runs
        )
        lines.append(f"- {LABELS[integration]}, {echos} Echos: {listed}")
    return lines


def markdown(results: list[Json]) -> str:
    """The comparison table, then what each poll requested."""
    by_key: dict[tuple[str, int], list[Json]] = {}
    for result in results:
        by_key.setdefault((result["integration"], result["echos"]), []).append(result)
    sizes = sorted({r["echos"] for r in results})
    ours_label, theirs_label = LABELS["alexa_care"], LABELS["alexa_devices"]
    lines = [
        f"| Echos | metric | {ours_label} | {theirs_label} | ours/theirs |",
        "|---:|---|---:|---:|---:|",
    ]
    for echos in sizes:
        ours = _metrics(by_key.get(("alexa_care", echos), []))
        theirs = _metrics(by_key.get(("alexa_devices", echos), []))
        lines.extend(
            f"| {echos} | {metric} | {_format(ours[metric])} "
            f"| {_format(theirs[metric])} | {_ratio(ours[metric], theirs[metric])} |"
            for metric in ours
        )
    lines += [
        "",
        (
            "Per poll: mean over the measured polls (coordinator refresh called"
            " directly). Loop CPU: time.thread_time() of the event loop's thread."
            " Setup: Home Assistant's setup of the entry the config flow created."
            " RSS: VmRSS after setup minus before the config flow, after gc;"
            " the median of the runs (each in a fresh process, ours and theirs"
            " in turn), listed below; after the polls: the same, read after the"
            " push measurements, the idle hour and the measured polls (the push"
            " channel closed for the polls)."
            " Requests per hour, idle: the refreshes of the idle hour (below),"
            " push channel open, times the requests of a steady poll, + the"
            " library's keep-alive pings (every 280 s), + Alexa Care's hourly"
            " Echo list. State writes per idle hour: state_changed events of"
            " the entry's entities, push channel open, emulator idle, over an"
            " hour run on the coordinator's own schedule (its scheduled"
            " refreshes fired one after the other, devtools/benchmark_idle.py)."
            " Event to state: from the emulator's control call to"
            " the entity's new state; — means not seen within 10 s (not pushed:"
            " it waits for a poll)."
        ),
        "",
        "RSS added by setup in each run (MiB):",
        "",
    ]
    lines += _rss_of_each_run(by_key)
    lines += ["", "Requests per steady poll, by host/path (mean over the polls):", ""]
    for result in results:
        if result.get("repeat", 0):
            continue
        summary = result.get("poll_summary") or {}
        label = f"{LABELS[result['integration']]}, {result['echos']} Echos"
        if error := result.get("error"):
            lines.append(f"- {label}: **failed**: {error.splitlines()[0]}")
        if summary:
            ok = f"{summary['successful']}/{summary['polls']} polls succeeded"
            paths = _grouped(summary["requests_by_path_mean"])
            listed = ", ".join(f"`{path}` ({n:g})" for path, n in paths.items())
            lines.append(f"- {label} ({ok}): {listed or 'none'}")
        if answers := result.get("non_2xx_answers"):
            answers = _grouped(answers)
            listed = ", ".join(f"`{key}` ({n:g})" for key, n in answers.items())
            lines.append(f"  - answers other than 2xx in the whole run: {listed}")
    traced = [
        result
        for result in results
        if result.get("memory_trace") and not result.get("repeat", 0)
    ]
    if traced:
        lines += ["", "Setup's allocations still alive after it (tracemalloc):", ""]
    for result in traced:
        label = f"{LABELS[result['integration']]}, {result['echos']} Echos"
        lines.extend(markdown_lines(label, result["memory_trace"]))
    return "\n".join(lines)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.benchmark",
        description="Alexa Care and core's alexa_devices against the Amazon "
        "emulator: requests, CPU time, setup time, memory and idle state writes.",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--plugs", type=int, default=3, help="plugs on the account")
    parser.add_argument(
        "--integrations",
        nargs="+",
        choices=INTEGRATIONS,
        default=list(INTEGRATIONS),
        help="measure only these (the default: both)",
    )
    parser.add_argument("--polls", type=int, default=5, help="measured polls")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each integration at each size (memory: their median)",
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="polls before the measured ones"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(tempfile.gettempdir()) / "alexa-care-benchmark.json",
        help="where the raw results go (JSON)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs of each run")
    parser.add_argument(
        "--trace-memory",
        type=int,
        default=0,
        metavar="N",
        help="trace setup's allocations and print the N largest by file and by "
        "import (the RSS figures of such a run are not comparable)",
    )
    # One measurement, in the subprocess the benchmark starts for it.
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, or (with --run) one measurement of it."""
    args = _arguments(argv)
    if args.run:
        _run_in_subprocess(RunSpec(**json.loads(args.run.read_text())), args.result)
        return 0
    work_dir = Path(tempfile.mkdtemp(prefix="alexa-care-benchmark-"))
    print(
        f"Benchmark: {args.sizes} Echos, {args.repeat} runs of {args.polls} polls"
        f" each; logs in {work_dir}"
    )
    started = time.perf_counter()
    compile_ours()
    results = run_all(args, work_dir)
    report = {
        "python": sys.version,
        "sizes": args.sizes,
        "plugs": args.plugs,
        "polls": args.polls,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seconds": time.perf_counter() - started,
        "results": results,
    }
    args.output.write_text(json.dumps(report, indent=1))
    print()
    print(markdown(results))
    print(f"\nRaw results: {args.output} ({report['seconds']:.0f} s in all)")
    if not args.keep:
        for path in sorted(work_dir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        work_dir.rmdir()
    return 1 if any("error" in result for result in results) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
