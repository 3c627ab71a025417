"""Fixtures: the unit tests' own, without their frozen clock.

These tests wait for real time or measure it, so the unit tests' autouse
`frozen_now` (which stops `time.perf_counter` too) is left out. The
library's wait before a retry stays instant: it is not what they test.
"""

from __future__ import annotations

from tests.conftest import (  # noqa: F401 # fixtures, found by name
    auto_enable_custom_integrations,
    fake_amazon,
    login_data,
    mock_config_entry,
    no_library_retry_delays,
)
