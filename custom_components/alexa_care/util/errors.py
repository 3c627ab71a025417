"""Translated errors: refusals, failures, and what Amazon's errors are called."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.loader import async_get_integration

from ..amazon.models import (
    AlexaCareError,
    AmazonAuthError,
    AmazonConnectionError,
    AmazonThrottledError,
    LibraryMismatchError,
)
from ..const import DOMAIN

# How each of Amazon's failures is named in the translations' keys, after
# what failed: "action_throttled", "history_invalid_auth", …
_AMAZON_ERROR_NAMES: list[tuple[type[AlexaCareError], str]] = [
    (AmazonAuthError, "invalid_auth"),
    (AmazonConnectionError, "cannot_connect"),
    (AmazonThrottledError, "throttled"),
    (AlexaCareError, "failed"),
]


def refused(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated refusal, raised before anything is sent to Amazon."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def failed(key: str, **placeholders: str) -> HomeAssistantError:
    """A translated failure: Amazon did not do what it was asked."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def amazon_failure[ErrorT: HomeAssistantError](
    err: AlexaCareError,
    what: str,
    error_class: type[ErrorT],
    **placeholders: str,
) -> ErrorT:
    """Amazon's failure while doing `what` ("action", "history"), translated."""
    name = next(name for kind, name in _AMAZON_ERROR_NAMES if isinstance(err, kind))
    return error_class(
        translation_domain=DOMAIN,
        translation_key=f"{what}_{name}",
        translation_placeholders={**placeholders, "error": str(err)},
    )


def device_failure(
    hass: HomeAssistant,
    entry: ConfigEntry,
    err: AlexaCareError,
    key: str,
    **placeholders: str,
) -> HomeAssistantError:
    """Amazon did not take a request for a device: a reset, a deregistration.

    A login Amazon no longer accepts, and its throttling, are said as for
    every action, in the user's language (the first asks to sign in again):
    the library's words for them are English, and nothing else helps until
    then. Amazon's other failures go under `key`, with its words.
    """
    if isinstance(err, AmazonAuthError):
        entry.async_start_reauth(hass)
    if isinstance(err, AmazonAuthError | AmazonThrottledError):
        return amazon_failure(
            err, "action", HomeAssistantError, device=placeholders["device"]
        )
    return failed(key, **placeholders, error=str(err))


async def async_library_mismatch_placeholders(
    hass: HomeAssistant, err: LibraryMismatchError
) -> dict[str, str]:
    """The installed library's version, what it lacks, and what we support."""
    integration = await async_get_integration(hass, DOMAIN)
    supported = next(
        requirement.removeprefix("aioamazondevices")
        for requirement in integration.requirements
        if requirement.startswith("aioamazondevices")
    )
    return {
        "version": err.version,
        "missing": ", ".join(err.missing),
        "supported": supported,
    }


def auth_failed(err: AmazonAuthError) -> ConfigEntryAuthFailed:
    """Amazon no longer takes the stored login: a poll asks for a new sign-in."""
    return ConfigEntryAuthFailed(
        translation_domain=DOMAIN,
        translation_key="invalid_auth",
        translation_placeholders={"error": str(err)},
    )


def update_failed(err: AlexaCareError) -> UpdateFailed:
    """A poll Amazon failed, in the words the entities' unavailability shows."""
    key = (
        "cannot_connect"
        if isinstance(err, AmazonConnectionError)
        else "cannot_retrieve_data"
    )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )
