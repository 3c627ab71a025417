"""What the request handlers share: the account, and the host applications."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from typing import Any

from aiohttp import web

from .account import Account
from .credentials import Credentials
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

    def __post_init__(self) -> None:
        """Start with an empty voice history (its record keys name the customer)."""
        self.history = VoiceHistory(customer_id=self.credentials.customer_id)


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
