"""What setting up the integration imports, and what waits for its first use.

Home Assistant imports the integration, its platforms and the entry points it
preloads (config flow, repairs, diagnostics, logbook) at setup. The fix flows
and the voice-history deletion are imported when first used, off the event
loop, so that a home that never opens one does not keep them in memory
(docs/benchmarks.md). A top-level import that pulls one of them back in fails
here. It runs in a fresh interpreter: this one has imported everything.
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

PACKAGE = "custom_components.alexa_care"
LOADED_AT_SETUP = [
    PACKAGE,
    *(
        f"{PACKAGE}.{name}"
        for name in (
            "config_flow",
            "diagnostics",
            "logbook",
            "repairs",
            "binary_sensor",
            "button",
            "select",
            "sensor",
            "switch",
        )
    ),
]
LOADED_ON_FIRST_USE = {
    f"{PACKAGE}.repair_flows",
    f"{PACKAGE}.repair_flows.device",
    f"{PACKAGE}.repair_flows.offline",
    f"{PACKAGE}.voice.deletion",
}


def _imported_by_setup() -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {LOADED_AT_SETUP!r}: importlib.import_module(name)\n"
        f"print('\\n'.join(m for m in sys.modules if m.startswith({PACKAGE!r})))\n"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, our own code)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    return set(result.stdout.split())


def test_setup_leaves_what_waits_for_its_first_use() -> None:
    imported = _imported_by_setup()
    # The list above is of modules that exist and setup does reach.
    assert set(LOADED_AT_SETUP) <= imported
    assert imported.isdisjoint(LOADED_ON_FIRST_USE), sorted(
        imported & LOADED_ON_FIRST_USE
    )
