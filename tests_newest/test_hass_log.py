"""The scan of Home Assistant's log shared by tests_e2e and tests_newest."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.hass_log import alexa_care_problems

# Home Assistant 2026.10's timestamps, then 2026.11's with the offset.
OLD = "2026-11-29 19:44:29.139"
NEW = "2026-11-29 20:42:47.216+00:00"


def scan(tmp_path: Path, text: str) -> list[str]:
    """The problems found in a log of `text`."""
    log = tmp_path / "hass.log"
    log.write_text(text)
    return alexa_care_problems(log)


def test_records_that_name_alexa_care(tmp_path: Path) -> None:
    """Errors (tracebacks too), deprecations and blocking calls naming us."""
    error = (
        f"{NEW} ERROR (MainThread) [homeassistant.config_entries] Error setting "
        "up entry d***o@example.com\nTraceback (most recent call last):\n"
        '  File "/config/custom_components/alexa_care/__init__.py", line 1\n'
        "RuntimeError: boom"
    )
    deprecation = (
        f"{OLD} WARNING (MainThread) [homeassistant.helpers.frame] Detected that "
        "custom integration 'alexa_care' calls a helper. This will stop working "
        "in Home Assistant 2027.5"
    )
    blocking = (
        f"{NEW} WARNING (MainThread) [homeassistant.util.loop] Detected blocking "
        "call to open inside the event loop by custom integration 'alexa_care'"
    )
    deprecated_constant = (
        f"{OLD} WARNING (MainThread) [homeassistant.const] UNIT is a deprecated "
        "constant which will be removed, used by custom_components.alexa_care"
    )
    fine = [
        (
            f"{NEW} WARNING (SyncWorker_0) [homeassistant.loader] We found a custom "
            "integration alexa_care which has not been tested by Home Assistant."
        ),
        f"{NEW} DEBUG (MainThread) [custom_components.alexa_care] Polled Amazon",
        # Errors of others, however deprecated.
        (
            f"{OLD} ERROR (MainThread) [homeassistant.setup] Setup failed for "
            "'assist_pipeline': a deprecated module"
        ),
    ]
    # Python prints its warnings without a record of their own.
    python_warning = (
        f"{NEW} INFO (MainThread) [homeassistant.setup] Setting up alexa_care\n"
        "/config/custom_components/alexa_care/coordinator.py:9: "
        "DeprecationWarning: use datetime.now(UTC) instead"
    )
    text = "\n".join([fine[0], error, fine[1], deprecation, blocking, fine[2]])
    text += f"\n{deprecated_constant}\n{python_warning}\n"

    assert scan(tmp_path, text) == [
        error,
        deprecation,
        blocking,
        deprecated_constant,
        python_warning,
    ]


def test_a_log_of_another_format_is_refused(tmp_path: Path) -> None:
    """Lines that are no record of Home Assistant's fail the scan; none is fine."""
    with pytest.raises(ValueError, match="no Home Assistant log record"):
        scan(tmp_path, "20:42:47 ERROR alexa_care: boom\n")
    assert scan(tmp_path, "") == []
