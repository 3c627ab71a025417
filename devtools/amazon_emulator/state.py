"""What the request handlers share: the account, and the host applications.

Changes that Amazon announces on its push channel (do not disturb, the
microphone button, a plug switched, a voice request) are made through
AmazonState, which hands the event to whoever serves the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import json
from typing import Any

from aiohttp import web

from . import push_payloads
from .account import Account, Echo, Plug
from .credentials import Credentials
from .push_payloads import Json
from .voice_history import VoiceHistory


@dataclass(kw_only=True)
class AmazonState:
    """One Amazon account as the emulator serves it."""

    account: Account
    credentials: Credentials = field(default_factory=Credentials)
    history: VoiceHistory = field(init=False)
    # Serial → name of the apps that logins registered (the library itself).
    apps: dict[str, str] = field(default_factory=dict)
    # Answer GraphQL operations the library does not send (Alexa Care's own
    # query) with Amazon's validation error.
    reject_unknown_queries: bool = False

    # Called with each push event (a directive) Amazon sends: the push server.
    push_listeners: list[Callable[[Json], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start with an empty voice history (its record keys name the customer)."""
        self.history = VoiceHistory(customer_id=self.credentials.customer_id)

    def push(self, directive: Json) -> None:
        """Send a push event to every open push channel."""
        for listener in self.push_listeners:
            listener(directive)

    def _doppler(self, echo: Echo) -> tuple[str, str, str]:
        """An Echo as push events name it: serial, device type, its owner."""
        identity = echo.identity
        return (
            identity.serial,
            identity.model.device_type,
            self.credentials.customer_id,
        )

    def connection_changed(self, echo: Echo, *, online: bool) -> None:
        """An Echo's connection to Amazon went up or down."""
        self.push(push_payloads.connection_change(*self._doppler(echo), online=online))

    def set_do_not_disturb(self, echo: Echo, *, enabled: bool) -> None:
        """Switch an Echo's do not disturb (from the web API or the app)."""
        if echo.do_not_disturb != enabled:
            echo.do_not_disturb = enabled
            self.push(push_payloads.dnd_change(*self._doppler(echo), enabled=enabled))

    def set_microphone(self, echo: Echo, *, on: bool) -> None:
        """Someone pressed an Echo's microphone button."""
        if echo.microphone_on != on:
            echo.microphone_on = on
            self.push(push_payloads.microphone_state(*self._doppler(echo), enabled=on))

    def set_plug_power(self, plug: Plug, *, on: bool) -> None:
        """Switch a plug (GraphQL, the app, by voice); its Echo follows."""
        if plug.power_on != on:
            self.account.set_power(plug, on=on)
            self.push(push_payloads.smart_home_power(plug.identity.endpoint_id, on=on))

    def voice_request(
        self, echo: Echo, *, heard: str, answer: str, intent: str = "Unknown"
    ) -> Json:
        """Someone spoke to an Echo: a voice history record, then its event."""
        record = self.history.add(echo, heard=heard, answer=answer, intent=intent)
        self.push(push_payloads.voice_request(*self._doppler(echo)))
        return record


@dataclass(frozen=True, kw_only=True)
class Hosts:
    """One aiohttp application per Amazon host name the library calls."""

    www: web.Application  # www.amazon.com: sign-in pages, voice history
    api: web.Application  # api.amazon.com: device registration, tokens
    alexa: web.Application  # alexa.amazon.com: the Alexa web API
    alexa_api: web.Application  # api.amazonalexa.com: app capabilities
    # alexa-comms-mobile-service.amazon.com: call and message settings
    comms: web.Application


def json_error(status: int, message: str) -> web.Response:
    """An error answer with a JSON body."""
    return web.json_response({"message": message}, status=status)


def bad_request(message: str) -> web.HTTPBadRequest:
    """A 400 answer with a JSON body, to raise."""
    return web.HTTPBadRequest(
        text=json.dumps({"message": message}), content_type="application/json"
    )


async def read_json(request: web.Request) -> Any:  # noqa: ANN401 - any JSON
    """The request's JSON body; a 400 answer if it has none."""
    try:
        return await request.json()
    except ValueError:
        raise bad_request("a JSON body is expected") from None
