"""Turning Amazon's failures during an action into translated errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError

from .api import (
    AlexaCareError,
    AmazonAuthError,
    AmazonConnectionError,
    AmazonThrottledError,
)
from .const import DOMAIN
from .entity import AlexaCareEntity

_TRANSLATION_KEYS: list[tuple[type[AlexaCareError], str]] = [
    (AmazonAuthError, "action_invalid_auth"),
    (AmazonConnectionError, "action_cannot_connect"),
    (AmazonThrottledError, "action_throttled"),
    (AlexaCareError, "action_failed"),
]


def amazon_action[EntityT: AlexaCareEntity[Any], **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Raise a translated HomeAssistantError when Amazon refuses an action."""

    async def handler(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await func(self, *args, **kwargs)
        except AlexaCareError as err:
            if isinstance(err, AmazonAuthError):
                self.coordinator.config_entry.async_start_reauth(self.hass)
            key = next(key for kind, key in _TRANSLATION_KEYS if isinstance(err, kind))
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={
                    "device": self.device.name,
                    "error": str(err),
                },
            ) from err

    return handler
