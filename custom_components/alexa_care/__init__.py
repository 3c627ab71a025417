"""Alexa Care: keep a household's Echo devices healthy and private."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.const import CONF_EMAIL, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.typing import ConfigType

from .amazon.client import AmazonAccount
from .amazon.library import import_page_encodings, readable_login
from .amazon.models import LibraryMismatchError
from .const import CONF_LOGIN_DATA, DOMAIN
from .coordinator import AlexaCareCoordinator
from .data import AlexaCareConfigEntry, AlexaCareData
from .frontend import async_register_strategy
from .home_network.identity import NetworkIdentities
from .monitoring.availability import AvailabilityIssues
from .monitoring.health import DeviceHealth
from .monitoring.health_store import HealthStore, async_remove_health_store
from .monitoring.issues import (
    async_withdraw,
    async_withdraw_all,
    async_withdraw_untagged,
    register_device_tag_key,
)
from .options import AlexaCareOptions
from .resets.plug_left_off import async_switch_on_at_setup
from .resets.power_links import PowerLinks
from .resets.procedures import Resets
from .resets.store import ResetStore
from .services import async_setup_services
from .updates.push import PushUpdates
from .util.errors import async_library_mismatch_placeholders
from .util.log_privacy import SECRET_FILTER, secrets_of
from .util.log_repeats import REPEAT_FILTER
from .voice.actions import async_setup_voice_services
from .voice.history import VoiceHistoryCoordinator

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the dashboard strategy, loaded or not."""
    async_setup_services(hass)
    async_setup_voice_services(hass)
    await async_register_strategy(hass)
    return True


def _stored_login(entry: AlexaCareConfigEntry) -> tuple[str, dict[str, Any]]:
    """The entry's email and login data, or why the user must sign in again.

    The entry is a file like any other: edited by hand or damaged, it may
    hold either in another shape. Without the email only Reconfigure (which
    asks for it) can sign in; without the login, a new sign-in.
    """
    email, login_data = entry.data.get(CONF_EMAIL), entry.data.get(CONF_LOGIN_DATA)
    if not isinstance(email, str) or not email:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="email_unreadable"
        )
    if not readable_login(login_data):
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="login_unreadable"
        )
    return email, login_data


async def async_setup_entry(hass: HomeAssistant, entry: AlexaCareConfigEntry) -> bool:
    """Log in with the stored tokens, poll once, then set up the platforms."""
    email, login_data = _stored_login(entry)
    # Before the first request: the library logs tokens and answers.
    SECRET_FILTER.protect(entry.entry_id, secrets_of(email, login_data))
    entry.async_on_unload(lambda: SECRET_FILTER.release(entry.entry_id))
    # After the secret filter: a repeat is known by its redacted text.
    REPEAT_FILTER.attach(entry.entry_id)
    entry.async_on_unload(lambda: REPEAT_FILTER.release(entry.entry_id))
    # Before any issue is raised or looked up (a plug left off, below).
    register_device_tag_key(entry.entry_id, entry.unique_id or entry.entry_id)
    async_withdraw_untagged(hass, entry.entry_id)
    await hass.async_add_executor_job(import_page_encodings)
    account = AmazonAccount(
        # A session of our own: the library keeps Amazon's cookies in the
        # session's cookie jar, which must not be shared with anything else.
        async_create_clientsession(hass),
        Path(hass.config.path(DOMAIN)),
        email=email,
        login_data=login_data,
    )
    try:
        account.check_library()
    except LibraryMismatchError as err:
        # No retry: only another version of Alexa Care or the library helps.
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="library_mismatch",
            translation_placeholders=await async_library_mismatch_placeholders(
                hass, err
            ),
        ) from err
    options = AlexaCareOptions.of(entry)
    availability = AvailabilityIssues(hass, entry.entry_id, options.grace)
    health = DeviceHealth(availability.household)
    # Health counts what availability has made of the household, after it.
    coordinator = AlexaCareCoordinator(
        hass, entry, account, options, (availability, health)
    )
    # Before the first poll, which reconciles the time Home Assistant was away.
    health_store = HealthStore(hass, entry.entry_id, health, availability)
    await health_store.async_load()
    entry.async_on_unload(health_store.async_start())
    await coordinator.async_config_entry_first_refresh()
    entry.async_on_unload(health_store.async_unload)
    power_links = PowerLinks(hass, entry.entry_id)
    await power_links.async_load()
    voice_history = VoiceHistoryCoordinator(coordinator)
    # The voice history is not needed to set up: a failed read is logged and
    # retried by the sensors, it does not hold up the devices.
    await voice_history.async_refresh()
    reset_store = ResetStore(hass, entry.entry_id)
    await reset_store.async_load(coordinator.data.plugs)
    network_identities = NetworkIdentities(hass, entry.entry_id)
    await network_identities.async_load()
    resets = Resets(hass, coordinator, power_links, reset_store, options.cooldown)
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, resets.async_restore_power)
    )
    push = PushUpdates(hass, coordinator, voice_history)
    entry.runtime_data = AlexaCareData(
        availability=availability,
        coordinator=coordinator,
        health=health,
        network_identities=network_identities,
        options=options,
        power_links=power_links,
        push=push,
        resets=resets,
        reset_store=reset_store,
        voice_history=voice_history,
    )
    # Before the platforms: a plug an unfinished power cycle left off may
    # feed the router, or the machine Home Assistant runs on.
    await async_switch_on_at_setup(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the platforms, so that what Amazon pushes has entities to reach.
    await push.async_start()
    entry.async_on_unload(push.async_stop)
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, push.async_stop)
    )
    # After the platforms: the registry has the devices the MACs belong to.
    entry.async_on_unload(network_identities.async_start(coordinator))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: AlexaCareConfigEntry) -> bool:
    """Unload the platforms and withdraw the entry's repair issues."""
    # Before anything goes: a power cycle in flight may hold a plug off.
    await entry.runtime_data.resets.async_unload()
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        # Device issues stay: a reload must not bring back an ignored one.
        coordinator = entry.runtime_data.coordinator
        async_withdraw(hass, coordinator.throttled_issue)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: AlexaCareConfigEntry) -> None:
    """Delete what the entry kept on disk, and its repair issues."""
    await PowerLinks(hass, entry.entry_id).async_remove()
    await ResetStore(hass, entry.entry_id).async_remove()
    await NetworkIdentities(hass, entry.entry_id).async_remove()
    await async_remove_health_store(hass, entry.entry_id)
    async_withdraw_all(hass, entry.entry_id)
