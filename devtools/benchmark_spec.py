"""What one benchmark run measures, handed from one process to the other.

devtools.benchmark writes it for the subprocess it starts, which runs
devtools.benchmark_hass; it has a module of its own so that neither of the
two imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class RunSpec:
    """What one subprocess measures."""

    integration: str
    echos: int
    emulator_port: int
    push_port: int
    control_port: int
    ca_certificate: str
    polls: int
    warmup: int
    # The largest allocations of setup to report (benchmark_memory.py); 0: none.
    trace_memory: int = 0
