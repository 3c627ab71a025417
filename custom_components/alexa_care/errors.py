"""Translated errors: refusals, failures, and what Amazon's errors are called."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .amazon.models import (
    AlexaCareError,
    AmazonAuthError,
    AmazonConnectionError,
    AmazonThrottledError,
)
from .const import DOMAIN

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
