"""One benchmark run inside Home Assistant: see devtools/benchmark.py.

Runs in a subprocess of its own (one per integration and account size) whose
Amazon traffic devtools.benchmark has already routed to the emulator: this
module imports Home Assistant, so it must not be imported before that.

A real `HomeAssistant` in a throwaway config directory, set up the way
bootstrap does it, minus configuration.yaml and the default integrations;
the integration is then added the way a user adds it, through its own config
flow, and polled by calling its coordinator's refresh.
"""

from __future__ import annotations

from collections import Counter
import gc
import logging
from pathlib import Path
import statistics
import tempfile
import time
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from devtools.amazon_emulator.credentials import DEMO_CODE, DEMO_EMAIL, DEMO_PASSWORD
from devtools.benchmark_idle import measure_idle_hour
from devtools.benchmark_memory import MemoryTrace
from devtools.benchmark_push import EmulatorControl, measure_push
from devtools.benchmark_spec import RunSpec
from devtools.emulator_process import free_port
from homeassistant import bootstrap, core_config, loader
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntries,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import CONF_CODE, CONF_EMAIL, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    aiohttp_client,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.setup import async_setup_component

OURS = "alexa_care"
THEIRS = "alexa_devices"

# What each config flow's user step asks for.
LOGIN_FORMS: dict[str, dict[str, str]] = {
    OURS: {CONF_EMAIL: DEMO_EMAIL, CONF_PASSWORD: DEMO_PASSWORD, CONF_CODE: DEMO_CODE},
    THEIRS: {
        CONF_USERNAME: DEMO_EMAIL,
        CONF_PASSWORD: DEMO_PASSWORD,
        CONF_CODE: DEMO_CODE,
    },
}
# Core's flow logs in inside a progress step: a few rounds at most.
MAX_FLOW_STEPS = 5
MAX_LOG_MESSAGES = 30

type Json = dict[str, Any]


class BenchmarkError(Exception):
    """The run could not go on."""


def rss_bytes() -> int:
    """This process's resident memory (VmRSS), after a full garbage collection."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise BenchmarkError("no VmRSS in /proc/self/status")


class LogCollector(logging.Handler):
    """Counts the warnings and errors logged during the run, by message."""

    def __init__(self) -> None:
        """Collect WARNING and above."""
        super().__init__(logging.WARNING)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record under its level, logger and first line."""
        try:
            text = record.getMessage().splitlines()[0][:300] if record.msg else ""
        except TypeError, ValueError:
            text = str(record.msg)[:300]
        self.messages[f"{record.levelname} {record.name}: {text}"] += 1

    def as_json(self) -> list[Json]:
        """The most frequent messages first."""
        return [
            {"message": message, "count": count}
            for message, count in self.messages.most_common(MAX_LOG_MESSAGES)
        ]


class Emulator:
    """The emulator's control API: its request counters."""

    def __init__(self, session: ClientSession, control_port: int) -> None:
        """Reach the control API on 127.0.0.1:`control_port`."""
        self._session = session
        self._url = f"http://127.0.0.1:{control_port}/requests"

    async def reset(self) -> None:
        """Count from zero again."""
        async with self._session.delete(self._url) as response:
            response.raise_for_status()

    async def requests(self) -> dict[str, int]:
        """The Amazon requests since the last reset, by host/path."""
        async with self._session.get(self._url) as response:
            response.raise_for_status()
            body = await response.json()
        by_path: dict[str, int] = body["by_path"]
        return dict(sorted(by_path.items()))


async def start_hass(config_dir: Path) -> HomeAssistant:
    """A running Home Assistant, set up as bootstrap does without configuration.yaml.

    Its core integrations, auth, and the two integrations every real
    installation has that the Alexa integrations' platforms need: network
    (Home Assistant's resolver asks zeroconf, which needs the adapters) and
    http (media_player, todo and repairs depend on it), on 127.0.0.1 only.
    """
    hass = HomeAssistant(str(config_dir))
    loader.async_setup(hass)
    # The venv has every requirement: nothing is installed during the run.
    hass.config.skip_pip = True
    hass.config_entries = ConfigEntries(hass, {})
    await loader.async_get_custom_components(hass)
    if not await bootstrap.async_load_base_functionality(hass):
        raise BenchmarkError("Home Assistant's registries did not load")
    for domain in bootstrap.CORE_INTEGRATIONS:
        if not await async_setup_component(hass, domain, {}):
            raise BenchmarkError(f"{domain} did not set up")
    await core_config.async_process_ha_core_config(hass, {})
    http = {"server_host": ["127.0.0.1"], "server_port": free_port()}
    for domain, config in (("network", {}), ("http", http)):
        if not await async_setup_component(hass, domain, {domain: config}):
            raise BenchmarkError(f"{domain} did not set up")
    await hass.async_start()
    return hass


class SetupTimer:
    """Times Home Assistant's setup of config entries (called by the flow)."""

    def __init__(self, hass: HomeAssistant, emulator: Emulator) -> None:
        """Wrap `hass.config_entries.async_setup`."""
        self.result: Json | None = None
        self._emulator = emulator
        original = hass.config_entries.async_setup

        async def timed_setup(entry_id: str, _lock: bool = True) -> bool:  # noqa: FBT001, FBT002 # Home Assistant's signature
            await emulator.reset()
            loop_cpu = time.thread_time()
            start = time.perf_counter()
            loaded = await original(entry_id, _lock)
            wall = time.perf_counter() - start
            loop_cpu = time.thread_time() - loop_cpu
            self.result = {
                "loaded": loaded,
                "wall_s": wall,
                "loop_cpu_s": loop_cpu,
                "requests": await emulator.requests(),
            }
            return loaded

        hass.config_entries.async_setup = timed_setup  # type: ignore[method-assign]


async def add_through_config_flow(hass: HomeAssistant, domain: str) -> ConfigEntry:
    """Fill in the integration's user step as a user does; return the new entry."""
    flow = hass.config_entries.flow
    result = await flow.async_init(domain, context={"source": SOURCE_USER})
    if result["type"] is not FlowResultType.FORM:
        raise BenchmarkError(f"the flow did not start with a form: {result}")
    user_input = LOGIN_FORMS[domain]
    schema = result["data_schema"]
    asked = {str(key) for key in schema.schema} if schema else set()
    if asked != set(user_input):
        raise BenchmarkError(f"the form asks for {sorted(asked)}")
    result = await flow.async_configure(result["flow_id"], user_input)
    for _ in range(MAX_FLOW_STEPS):
        if result["type"] is not FlowResultType.SHOW_PROGRESS:
            break
        # Home Assistant moves the flow on once the progress task is done,
        # then the frontend asks for the next step.
        await hass.async_block_till_done()
        result = await flow.async_configure(result["flow_id"])
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise BenchmarkError(
            f"the flow ended with {result['type']}: {result.get('errors')}"
        )
    entry: ConfigEntry = result["result"]
    return entry


def coordinator_of(entry: ConfigEntry) -> DataUpdateCoordinator[Any]:
    """The entry's polling coordinator."""
    if entry.domain == OURS:
        coordinator: DataUpdateCoordinator[Any] = entry.runtime_data.coordinator
        return coordinator
    return entry.runtime_data  # type: ignore[no-any-return]


async def stop_push_channel(entry: ConfigEntry) -> None:
    """Close the entry's push channel."""
    if entry.domain == THEIRS:
        await entry.runtime_data.api.stop_http2_processing()
    else:
        await entry.runtime_data.push.async_stop()


def registry_counts(hass: HomeAssistant, entry: ConfigEntry) -> Json:
    """How many devices and entities the entry created."""
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return {
        "devices": len(devices),
        "entities": len(entities),
        "entities_disabled": sum(1 for e in entities if e.disabled_by is not None),
        "states": sum(1 for e in entities if hass.states.get(e.entity_id)),
    }


async def measure_polls(
    coordinator: DataUpdateCoordinator[Any],
    emulator: Emulator,
    *,
    warmup: int,
    polls: int,
) -> list[Json]:
    """Force refreshes one after the other; the first `warmup` are not kept."""
    results: list[Json] = []
    for index in range(warmup + polls):
        await emulator.reset()
        loop_cpu = time.thread_time()
        process_cpu = time.process_time()
        start = time.perf_counter()
        await coordinator.async_refresh()
        wall = time.perf_counter() - start
        loop_cpu = time.thread_time() - loop_cpu
        process_cpu = time.process_time() - process_cpu
        requests = await emulator.requests()
        if index < warmup:
            continue
        results.append(
            {
                "success": coordinator.last_update_success,
                "error": repr(coordinator.last_exception)
                if not coordinator.last_update_success
                else None,
                "wall_s": wall,
                "loop_cpu_s": loop_cpu,
                "process_cpu_s": process_cpu,
                "requests_total": sum(requests.values()),
                "requests": requests,
            }
        )
    return results


def summarize_polls(polls: list[Json]) -> Json:
    """Means over the kept polls; requests per poll by host/path."""
    if not polls:
        return {}
    paths = sorted({path for poll in polls for path in poll["requests"]})
    return {
        "polls": len(polls),
        "successful": sum(1 for poll in polls if poll["success"]),
        "requests_mean": statistics.fmean(poll["requests_total"] for poll in polls),
        "requests_by_path_mean": {
            path: statistics.fmean(poll["requests"].get(path, 0) for poll in polls)
            for path in paths
        },
        "loop_cpu_s_mean": statistics.fmean(poll["loop_cpu_s"] for poll in polls),
        "loop_cpu_s_median": statistics.median(poll["loop_cpu_s"] for poll in polls),
        "wall_s_mean": statistics.fmean(poll["wall_s"] for poll in polls),
        "wall_s_median": statistics.median(poll["wall_s"] for poll in polls),
        "process_cpu_s_mean": statistics.fmean(poll["process_cpu_s"] for poll in polls),
    }


async def _benchmark(hass: HomeAssistant, spec: RunSpec, result: Json) -> None:
    async with ClientSession(timeout=ClientTimeout(total=30)) as session:
        emulator = Emulator(session, spec.control_port)
        # The shared connector, its resolver and zeroconf are Home
        # Assistant's, not the integration's: made before the baseline.
        aiohttp_client.async_get_clientsession(hass)
        await hass.async_block_till_done()
        timer = SetupTimer(hass, emulator)
        integration = await loader.async_get_integration(hass, spec.integration)
        result["integration_version"] = str(integration.version or "core")
        result["rss_before_bytes"] = rss_bytes()
        trace = MemoryTrace(spec.trace_memory, spec.integration)
        trace.start()
        await emulator.reset()
        flow_start = time.perf_counter()
        entry = await add_through_config_flow(hass, spec.integration)
        result["flow_wall_s"] = time.perf_counter() - flow_start
        await hass.async_block_till_done()
        result["rss_after_setup_bytes"] = rss_bytes()
        result["memory_trace"] = trace.report()
        result["setup"] = timer.result
        result["entry_state"] = str(entry.state)
        result["registry"] = registry_counts(hass, entry)
        if entry.state is not ConfigEntryState.LOADED:
            result["error"] = f"the entry did not load: {entry.reason}"
            return
        # What runs on its own after setup (both push channels) and the push
        # measurements.
        await emulator.reset()
        time_to_settle = time.perf_counter()
        await hass.async_block_till_done()
        result["push"] = await measure_push(
            hass, entry, EmulatorControl(session, spec.control_port)
        )
        result["after_setup"] = {
            "seconds": time.perf_counter() - time_to_settle,
            "requests": await emulator.requests(),
        }
        if result["push"]["channel_open"]:
            await emulator.reset()
            result["idle_hour"] = await measure_idle_hour(
                hass, entry, coordinator_of(entry)
            )
            result["idle_hour"]["requests"] = await emulator.requests()
        # The polls are measured without events arriving meanwhile.
        await stop_push_channel(entry)
        polls = await measure_polls(
            coordinator_of(entry), emulator, warmup=spec.warmup, polls=spec.polls
        )
        result["polls"] = polls
        result["poll_summary"] = summarize_polls(polls)
        result["rss_after_polls_bytes"] = rss_bytes()


async def run(spec: RunSpec) -> Json:
    """Set up the integration in a fresh Home Assistant and measure it."""
    collector = LogCollector()
    logging.getLogger().addHandler(collector)
    result: Json = {"integration": spec.integration, "echos": spec.echos}
    with tempfile.TemporaryDirectory(prefix="alexa-care-benchmark-") as config_dir:
        hass = await start_hass(Path(config_dir))
        try:
            await _benchmark(hass, spec, result)
        except BenchmarkError as err:
            result["error"] = str(err)
        finally:
            await hass.async_stop()
    result["log_messages"] = collector.as_json()
    return result
