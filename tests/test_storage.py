"""Tests of the stored files read at setup, whatever they hold."""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.monitoring import health_store
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .common import BEDROOM, KITCHEN, KITCHEN_PLUG, set_up, settle
from .conftest import NOW
from .fake_amazon import FakeAmazon

LEFT_OFF = {"name": "Kitchen Plug", "on_by": "2026-11-22T04:00:20+00:00"}
RESET_AT = "2026-11-22T19:55:00+00:00"
IDENTITY = {
    "read_at": "2026-11-22T19:00:00+00:00",
    "has_wifi": True,
    "ssid": "Home",
    "mac_address": "68:54:FD:3A:1B:2C",
}


def _switched_on(fake_amazon: FakeAmazon) -> bool:
    """Whether Amazon was asked to switch a plug on."""
    return any(
        path == "/nexus/v1/graphql"
        and body["operationName"] == "setEndpointFeatures"
        and "turnOn" in str(body["variables"])
        for _, path, body in fake_amazon.requests
    )


class Stores:
    """The entry's stored files, as a past run left them before this setup."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MockConfigEntry,
        hass_storage: dict[str, Any],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """Keep what the files are written to and read from."""
        self.hass = hass
        self.entry = entry
        self.storage = hass_storage
        self._caplog = caplog

    def key(self, store: str) -> str:
        """The storage key of one of the entry's stores."""
        return f"{DOMAIN}.{self.entry.entry_id}.{store}"

    async def set_up_with(self, store: str, file: dict[str, Any]) -> None:
        """Write the file, then set the entry up: it loads whatever the file holds."""
        self.storage[self.key(store)] = {"key": self.key(store)} | file
        await set_up(self.hass, self.entry)
        assert self.entry.state is ConfigEntryState.LOADED

    def warnings(self, store: str) -> list[str]:
        """The warnings logged that name the store's file."""
        return [
            record.getMessage()
            for record in self._caplog.records
            if record.levelno == logging.WARNING
            and self.key(store) in record.getMessage()
        ]

    async def warned_no_more_after_a_reload(self, store: str) -> None:
        """Written again as it was read: the next start warns no more."""
        self._caplog.clear()
        await self.hass.config_entries.async_reload(self.entry.entry_id)
        await settle(self.hass)
        assert self.warnings(store) == []


@pytest.fixture
def stores(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> Stores:
    """The entry's stores, written by the test before it sets the entry up."""
    return Stores(hass, mock_config_entry, hass_storage, caplog)


def _v(data: object, version: object = 1, minor: object = 2) -> dict[str, Any]:
    return {"version": version, "minor_version": minor, "data": data}


@pytest.mark.parametrize(
    ("file", "switched_on", "warned"),
    [
        # A plug's key is enough to switch it on: the account has its name.
        (_v({"switched_off": {KITCHEN_PLUG: {}}, "last_resets": {}}), True, True),
        (
            _v(
                {
                    "switched_off": {
                        KITCHEN_PLUG: LEFT_OFF,
                        "amzn1.gone": {"on_by": "soon"},
                        "text": "off",
                        "list": [],
                    },
                    "last_resets": "never",
                }
            ),
            True,
            True,
        ),
        (
            _v(
                {
                    "switched_off": {KITCHEN_PLUG: {"name": 7, "on_by": ["x"]}},
                    "last_resets": {KITCHEN: "yesterday", BEDROOM: 3},
                }
            ),
            True,
            True,
        ),
        # Written before cooldowns were kept: migrated, nothing lost.
        (_v({"switched_off": {KITCHEN_PLUG: LEFT_OFF}}, minor=1), True, False),
        # A newer Alexa Care's file (a downgrade), or an unknown old one.
        (
            _v({"switched_off": {KITCHEN_PLUG: LEFT_OFF}, "last_resets": {}}, 9),
            True,
            False,
        ),
        (_v({"switched_off": {KITCHEN_PLUG: LEFT_OFF}}, version=0), True, True),
        # A minor version that is no number: the plug is not lost with it.
        *(
            (_v({"switched_off": {KITCHEN_PLUG: LEFT_OFF}}, minor=minor), True, False)
            for minor in (None, "1", [1])
        ),
        (_v([]), False, True),
        (_v({}), False, True),
        (_v("switched_off"), False, True),
        (_v({"switched_off": [KITCHEN_PLUG], "last_resets": []}), False, True),
        (_v({"switched_off": {"amzn1.gone": {}}, "last_resets": {}}), False, True),
        (_v({"switched_off": {}}, version="1"), False, True),
    ],
)
async def test_garbage_in_the_reset_store(
    stores: Stores,
    fake_amazon: FakeAmazon,
    file: dict[str, Any],
    switched_on: bool,
    warned: bool,
) -> None:
    """Setup goes on, switches on every plug it can tell, warns once of the rest."""
    await stores.set_up_with("resets", file)
    assert _switched_on(fake_amazon) is switched_on
    assert len(stores.warnings("resets")) == int(warned)
    stored = stores.storage[stores.key("resets")]
    assert (stored["version"], stored["minor_version"]) == (1, 2)
    assert stored["data"]["switched_off"] == {}
    await stores.warned_no_more_after_a_reload("resets")


async def test_cooldowns_survive_garbage_beside_them(stores: Stores) -> None:
    """A last reset that can be read is kept; a time without a zone is not one."""
    file = _v(
        {
            "switched_off": {},
            "last_resets": {
                KITCHEN: RESET_AT,
                BEDROOM: "2026-11-22T19:55:00",
                KITCHEN_PLUG: "2026-13-45T99:00:00+00:00",
            },
        }
    )
    await stores.set_up_with("resets", file)
    last_resets = stores.entry.runtime_data.reset_store.cooldowns.last_resets()
    assert [key for key, at in last_resets.items() if at.isoformat() == RESET_AT] == [
        KITCHEN
    ]
    assert BEDROOM not in last_resets
    assert KITCHEN_PLUG not in last_resets


@pytest.mark.parametrize(
    "last_reset",
    [
        # Written by a clock that ran ahead, or read by one that is behind
        # (a board without a clock of its own, before it has the time).
        "2026-11-25T20:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
    ],
)
async def test_a_last_reset_ahead_of_the_clock_starts_its_cooldown_again(
    stores: Stores, last_reset: str
) -> None:
    """Its cooldown runs once more from now: neither forgotten nor for ever."""
    await stores.set_up_with(
        "resets", _v({"switched_off": {}, "last_resets": {KITCHEN: last_reset}})
    )
    last_resets = stores.entry.runtime_data.reset_store.cooldowns.last_resets()
    assert last_resets[KITCHEN].isoformat() == NOW
    # It was read: nothing was left out.
    assert stores.warnings("resets") == []


@pytest.mark.parametrize(
    ("file", "kept"),
    [
        (_v({KITCHEN: "wired", BEDROOM: IDENTITY}, minor=1), {BEDROOM}),
        (
            _v({KITCHEN: IDENTITY | {"has_wifi": "yes"}, BEDROOM: IDENTITY}, minor=1),
            {BEDROOM},
        ),
        (_v({KITCHEN: IDENTITY | {"ssid": ["Home"]}}, minor=1), set()),
        (_v({KITCHEN: IDENTITY | {"read_at": 1e300}}, minor=1), set()),
        # A newer Alexa Care's file: what fits is kept.
        (_v({KITCHEN: "x", BEDROOM: IDENTITY}, version=2, minor=1), {BEDROOM}),
        (_v([IDENTITY], minor=1), set()),
        (_v("x", minor=1), set()),
        (_v({BEDROOM: IDENTITY}, version=None, minor=1), set()),
    ],
)
async def test_garbage_in_the_network_identity_store(
    stores: Stores, file: dict[str, Any], kept: set[str]
) -> None:
    """Setup goes on with the networks that can be read; the rest are read again."""
    await stores.set_up_with("network_identity", file)
    identities = stores.entry.runtime_data.network_identities
    assert set(identities.identities) == kept
    assert len(stores.warnings("network_identity")) == 1


@pytest.mark.parametrize(
    ("file", "kept"),
    [
        (_v({KITCHEN: KITCHEN_PLUG, BEDROOM: 5}, minor=1), {KITCHEN: KITCHEN_PLUG}),
        (_v({KITCHEN: None, BEDROOM: ""}, minor=1), {}),
        (_v([KITCHEN, KITCHEN_PLUG], minor=1), {}),
        (_v({KITCHEN: KITCHEN_PLUG}, version=[1], minor=1), {}),
    ],
)
async def test_garbage_in_the_power_links_store(
    stores: Stores, file: dict[str, Any], kept: dict[str, str]
) -> None:
    """Setup goes on with the links that can be read."""
    await stores.set_up_with("power_links", file)
    assert stores.entry.runtime_data.power_links.links == kept
    assert len(stores.warnings("power_links")) == 1


HEALTH = {
    "day": "2026-11-22",
    "as_of": "2026-11-22T19:55:00+00:00",
    "devices": {
        BEDROOM: {
            "online": False,
            "offline_since": "2026-11-22T19:00:00+00:00",
            "held": None,
            "left": None,
            "drop_offs": 2,
            "offline_seconds": 60.0,
        }
    },
    "online": [KITCHEN, KITCHEN_PLUG],
    "household": {"outages": 1, "outage_seconds": 240.0, "since": None},
    "availability": {
        BEDROOM: {
            "offline_since": "2026-11-22T19:00:00+00:00",
            "grace_from": None,
            "drops": ["2026-11-22T19:00:00+00:00"],
            "dropped": "2026-11-22T19:00:00+00:00",
        }
    },
    "outage": None,
}
# A household outage under way when it was written, as the version before
# baselines wrote it.
OUTAGE_BEGAN = "2026-11-22T19:50:00+00:00"
OUTAGE = {
    "since": OUTAGE_BEGAN,
    "latest": OUTAGE_BEGAN,
    "devices": [KITCHEN, KITCHEN_PLUG, BEDROOM],
}
IN_AN_OUTAGE = HEALTH | {
    "household": {"outages": 1, "outage_seconds": 300.0, "since": OUTAGE_BEGAN}
}


@pytest.mark.parametrize(
    ("file", "bedroom_drops", "outages", "warned"),
    [
        (_v(HEALTH, minor=1), 2, 1, False),
        # What fits is kept, beside what does not.
        (
            _v(
                HEALTH
                | {
                    "devices": HEALTH["devices"] | {KITCHEN: {"drop_offs": "many"}},
                    "online": "all",
                    "availability": {BEDROOM: {"drops": "x"}, KITCHEN: []},
                    "outage": {"since": 3},
                },
                minor=1,
            ),
            2,
            1,
            True,
        ),
        (_v(HEALTH | {"household": {"outages": None}}, minor=1), 2, 0, True),
        # Drops that are no list, beside the readable ones.
        *(
            (
                _v(
                    HEALTH
                    | {
                        "availability": HEALTH["availability"]
                        | {KITCHEN: {"offline_since": None, "drops": drops}}
                    }
                ),
                2,
                1,
                True,
            )
            for drops in (5, 1.5, True)
        ),
        (_v(HEALTH | {"devices": {BEDROOM: {"online": "no"}}}, minor=1), 0, 1, True),
        # The outage under way: the version before kept no baseline.
        (_v(IN_AN_OUTAGE | {"outage": OUTAGE}, minor=1), 2, 1, False),
        (_v(IN_AN_OUTAGE | {"outage": OUTAGE | {"baseline": "all"}}), 2, 1, True),
        (_v(IN_AN_OUTAGE | {"outage": OUTAGE | {"baseline": [KITCHEN]}}), 2, 1, False),
        # A newer Alexa Care's file: what fits is kept.
        (_v(HEALTH | {"new": 1}, version=2, minor=7), 2, 1, False),
        # Without its day and moment nothing in it can be placed in time.
        (_v(HEALTH | {"day": "Sunday"}, minor=1), 0, 0, True),
        # Moments no Echo was offline at: before the first one, at the end of time.
        (
            _v(
                HEALTH
                | {
                    "availability": {
                        BEDROOM: HEALTH["availability"][BEDROOM]
                        | {"offline_since": "0001-01-01T00:00:00+00:00"}
                    },
                    "devices": {
                        BEDROOM: HEALTH["devices"][BEDROOM]
                        | {"offline_since": "9999-12-31T23:59:59+00:00"}
                    },
                },
                minor=1,
            ),
            0,
            1,
            True,
        ),
        # A day at the calendar's end, whose next midnight no date holds.
        (_v(HEALTH | {"day": "9999-12-31"}, minor=1), 0, 0, True),
        (_v(HEALTH | {"as_of": "2026-11-22T19:55:00"}, minor=1), 0, 0, True),
        # From a clock that ran ahead.
        (_v(HEALTH | {"as_of": "2027-01-01T00:00:00+00:00"}, minor=1), 0, 0, True),
        # Read by a clock behind the one that wrote it (started before the
        # time was set): the day's counts are kept.
        (_v(HEALTH | {"as_of": "2026-11-22T21:55:00+00:00"}, minor=1), 2, 1, False),
        (_v([HEALTH], minor=1), 0, 0, True),
        # As written after a file that could not be read.
        (_v(HEALTH | {"day": None, "as_of": None}, minor=1), 0, 0, False),
        (_v("health", minor=1), 0, 0, True),
        (_v(HEALTH, version=None, minor=1), 0, 0, True),
    ],
)
async def test_garbage_in_the_health_store(
    stores: Stores,
    file: dict[str, Any],
    bedroom_drops: int,
    outages: int,
    warned: bool,
) -> None:
    """Setup goes on with the counts that can be read, and warns once of the rest."""
    await stores.set_up_with("health", file)
    health = stores.entry.runtime_data.health
    assert health.drop_offs(BEDROOM) == bedroom_drops
    assert health.household.outages_today == outages
    assert len(stores.warnings("health")) == int(warned)
    await stores.warned_no_more_after_a_reload("health")


async def test_a_file_its_reader_did_not_foresee_fails_no_setup(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a file holds, the worst is an unreadable file, not a failed setup."""
    parse = health_store._parse

    def unforeseen(stored: object, now: datetime) -> health_store.Parsed[Any]:
        if stored is None:
            return parse(stored, now)
        raise TypeError("'bool' object is not iterable")

    monkeypatch.setattr(health_store, "_parse", unforeseen)
    await stores.set_up_with("health", _v(HEALTH))
    assert stores.entry.runtime_data.health.drop_offs(BEDROOM) == 0
    assert len(stores.warnings("health")) == 1
