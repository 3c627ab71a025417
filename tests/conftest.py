"""Fixtures: a config entry, and Amazon faked at the HTTP boundary."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
import copy
import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any, override
from unittest.mock import AsyncMock, MagicMock, PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
import httpx
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

# Home Assistant's loader looks for custom integrations in the config folder
# it is given first; importing ours here makes it the one that is found.
import custom_components.alexa_care  # noqa: F401
from custom_components.alexa_care.const import CONF_LOGIN_DATA, DOMAIN
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.const import CONF_EMAIL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from .common import ACCESS_TOKEN, deprecation_reports, set_up, until
from .fake_amazon import FakeAmazon
from .fake_push import FakePush
from .integration_files import issue_translation_problems
from .repair_issues import Dashboard
from .scenes import Household

FIXTURES = Path(__file__).parent / "fixtures"
TEST_EMAIL = "olivia.carter@example.com"
TEST_PASSWORD = "correct horse battery staple"
TEST_CODE = "417093"
# Noon in Home Assistant's test time zone (US/Pacific), after the last voice
# record of the fixtures.
NOW = "2026-11-22T20:00:00+00:00"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom integrations in every test."""


class _Warnings(logging.Handler):
    """Keeps the warnings logged while a test runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    @override
    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_deprecation_reports(request: pytest.FixtureRequest) -> Generator[None]:
    """Fail a test in which Home Assistant reported a deprecated call of ours.

    A handler of its own, not caplog, which the plugin turns to DEBUG.
    """
    warnings = _Warnings()
    logging.getLogger().addHandler(warnings)
    yield
    logging.getLogger().removeHandler(warnings)
    reports = deprecation_reports(warnings.records)
    if request.node.get_closest_marker("deprecation_expected"):
        assert reports, "Home Assistant reported nothing"
    elif reports:
        pytest.fail("Home Assistant reported:\n" + "\n".join(reports))


@pytest.fixture(autouse=True)
def frozen_now(freezer: FrozenDateTimeFactory) -> None:
    """Every test runs on the day of the fixtures (voice history, last seen)."""
    freezer.move_to(NOW)


@pytest.fixture(autouse=True)
def issues_shown_as_hassfest_demands(hass: HomeAssistant) -> Generator[None]:
    """Fail a test that raised an issue its translation would not show right.

    Each issue is checked as it is raised: the test may delete it again.
    """
    raised: list[ir.IssueEntry] = []

    @callback
    def record(event: Event[ir.EventIssueRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove" or event.data["domain"] != DOMAIN:
            return
        if issue := ir.async_get(hass).async_get_issue(DOMAIN, event.data["issue_id"]):
            raised.append(issue)

    remove = hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, record)
    yield
    remove()
    assert issue_translation_problems(raised) == []


@pytest.fixture(autouse=True)
def no_library_retry_delays() -> Generator[None]:
    """The library waits 2 s and 5 s before retrying a 429 or 5xx: not in tests.

    That wait is the only asyncio.sleep in its http_wrapper (16.3.2 and
    17.2.3), and the frozen clock would never end it. Only that module's
    asyncio.sleep is replaced; the rest of asyncio stays as it is.
    """

    async def no_wait(delay: float, result: object = None) -> object:
        # Not even a zero sleep: polls run as background tasks, which
        # async_block_till_done does not wait for, so a poll's retries must
        # not give the event loop a turn.
        return result

    library_asyncio = SimpleNamespace(**(vars(asyncio) | {"sleep": no_wait}))
    with patch("aioamazondevices.http_wrapper.asyncio", library_asyncio):
        yield


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Every entity is added enabled, those disabled by default too (as in core)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots serialised the Home Assistant way, in tests/snapshots."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def login_data() -> dict[str, Any]:
    """What the library returns after a login (tokens, cookies, customer)."""
    data: dict[str, Any] = json.loads((FIXTURES / "login_data.json").read_text())
    return data


@pytest.fixture
def mock_config_entry(login_data: dict[str, Any]) -> MockConfigEntry:
    """A config entry as the config flow creates it."""
    return MockConfigEntry(
        domain=DOMAIN,
        # Fixed: the account's own entities are known by it in snapshots.
        entry_id="01JALEXACARE0000000000TEST",
        title="o***r@example.com",
        unique_id="amzn1.account.AFAKECUSTOMERID0000000000000",
        data={CONF_EMAIL: TEST_EMAIL, CONF_LOGIN_DATA: copy.deepcopy(login_data)},
    )


@pytest.fixture
def fake_amazon(aioclient_mock: AiohttpClientMocker) -> FakeAmazon:
    """Amazon's web API for one account, behind Home Assistant's HTTP client."""
    fake = FakeAmazon()
    fake.register(aioclient_mock)
    return fake


@pytest.fixture(autouse=True)
def fake_push() -> Generator[FakePush]:
    """Amazon's push hosts, reached through the integration's httpx client.

    They answer nothing until a test sets `serving`: the channel stays closed.
    """
    fake = FakePush()
    with patch(
        "custom_components.alexa_care.updates.push.get_async_client",
        lambda *_args, **_kwargs: httpx.AsyncClient(transport=fake),
    ):
        yield fake


@pytest.fixture
def mock_login(login_data: dict[str, Any]) -> Generator[MagicMock]:
    """The library's interactive login, faked (Amazon's sign-in pages are HTML).

    Yields the library client class; its instance is `.return_value`.
    """
    with patch(
        "custom_components.alexa_care.amazon.library.AmazonEchoApi", autospec=True
    ) as library_class:
        client = library_class.return_value
        # Set in the client's __init__, so not on the spec; checked at login.
        client._http_wrapper = MagicMock()
        client._sequence_handler = MagicMock()
        client.on_dnd_event = MagicMock()
        client.login = MagicMock()
        client.login.login_mode_interactive = AsyncMock(
            side_effect=lambda _code: copy.deepcopy(login_data)
        )
        yield library_class


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Config flow tests stop at the entry: setting it up is tested elsewhere."""
    with patch(
        "custom_components.alexa_care.async_setup_entry", return_value=True
    ) as setup_entry:
        yield setup_entry


@pytest.fixture
def platforms() -> list[str] | None:
    """Platforms to set up; None sets up all of them."""
    return None


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    platforms: list[str] | None,
) -> MockConfigEntry:
    """Set up Alexa Care with the fake account."""
    mock_config_entry.add_to_hass(hass)
    if platforms is None:
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
    else:
        with patch("custom_components.alexa_care.PLATFORMS", platforms):
            await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
async def pushing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
) -> MockConfigEntry:
    """Alexa Care set up with its push channel open."""
    fake_push.serving = True
    fake_push.access_token = ACCESS_TOKEN
    await set_up(hass, mock_config_entry)
    await until(hass, lambda: mock_config_entry.runtime_data.push.status.connected)
    return mock_config_entry


@pytest.fixture
def household(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> Household:
    """An account of added Echos only, set up by the test with as many as it needs."""
    return Household(hass, mock_config_entry, fake_amazon, fake_push, freezer)


@pytest.fixture
async def household_member(hass: HomeAssistant, local_auth: object) -> MockUser:
    """A user who may control devices but is no administrator.

    Home Assistant itself refuses a read-only user any control: only this
    user reaches the integration's own checks.
    """
    users = await hass.auth.async_get_group(GROUP_ID_USER)
    return MockUser(groups=[users]).add_to_hass(hass)


@pytest.fixture
async def repairs(hass: HomeAssistant) -> None:
    """Settings → Repairs: Home Assistant's repairs integration, set up."""
    assert await async_setup_component(hass, "repairs", {})


@pytest.fixture
async def dashboard(repairs: None, hass_client: ClientSessionGenerator) -> Dashboard:
    """Settings → Repairs, driven over HTTP as the frontend does."""
    return Dashboard(await hass_client())
