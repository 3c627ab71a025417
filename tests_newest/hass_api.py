"""Home Assistant's own HTTP and websocket API, as its frontend uses them.

Onboarding creates the owner and hands out an authorization code, which
/auth/token exchanges for an access token; the REST API and one websocket
connection then carry that token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse

OWNER = {
    "name": "Ada Tester",
    "username": "ada",
    "password": "newest-release-Password-1",  # a throwaway instance
    "language": "en",
}


class HassApiError(AssertionError):
    """Home Assistant answered a command with an error."""


class HassApi:
    """REST calls and websocket commands as the owner."""

    def __init__(
        self, session: ClientSession, url: str, token: str, ws: ClientWebSocketResponse
    ) -> None:
        """Talk to Home Assistant at `url` with `token`, commands over `ws`."""
        self._session = session
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._ws = ws
        self._ids = count(1)

    async def rest(self, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
        """One REST call; its JSON answer. Raise unless it succeeded."""
        async with self._session.request(
            method, f"{self._url}{path}", json=body, headers=self._headers
        ) as response:
            if response.status >= 400:
                raise HassApiError(
                    f"{method} {path}: {response.status} {await response.text()}"
                )
            return await response.json()

    async def command(self, message: dict[str, Any]) -> Any:  # noqa: ANN401
        """One websocket command; its result. Raise on an error answer."""
        message_id = next(self._ids)
        await self._ws.send_json({"id": message_id, **message})
        while True:
            answer = await self._ws.receive_json()
            # Events of earlier subscriptions may come in between.
            if answer.get("id") == message_id and answer["type"] == "result":
                break
        if not answer["success"]:
            raise HassApiError(f"{message['type']}: {answer['error']}")
        return answer["result"]


async def _onboard(session: ClientSession, url: str) -> str:
    """Create the owner on a fresh instance; an access token for them."""
    client_id = f"{url}/"
    async with session.post(
        f"{url}/api/onboarding/users", json={"client_id": client_id, **OWNER}
    ) as response:
        response.raise_for_status()
        auth_code = (await response.json())["auth_code"]
    async with session.post(
        f"{url}/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": auth_code,
            "client_id": client_id,
        },
    ) as response:
        response.raise_for_status()
        return str((await response.json())["access_token"])


@asynccontextmanager
async def owner_api(url: str) -> AsyncIterator[HassApi]:
    """Onboard a fresh Home Assistant; its API as the owner, until the block ends."""
    async with ClientSession() as session:
        token = await _onboard(session, url)
        async with session.ws_connect(f"{url}/api/websocket") as ws:
            assert (await ws.receive_json())["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": token})
            assert (await ws.receive_json())["type"] == "auth_ok"
            yield HassApi(session, url, token, ws)
