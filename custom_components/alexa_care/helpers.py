"""Turning Amazon's failures during an entity's action into translated errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError

from .amazon.models import AlexaCareError, AmazonAuthError
from .entity import AlexaCareEntity
from .errors import amazon_failure


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
            raise amazon_failure(
                err, "action", HomeAssistantError, device=self.device.name
            ) from err

    return handler
