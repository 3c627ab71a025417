"""Home Assistant as the browser steps reach it: from the signed-in page.

Its address is the page's own; its REST API is called with the browser's
login; a page that shows something only after a poll is reloaded until it
does.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from playwright.sync_api import Locator, Page, expect

INTEGRATION_PAGE = "{}/config/integrations/integration/alexa_care"


def hass_url(page: Page) -> str:
    """The address of the Home Assistant the page shows."""
    return "{0.scheme}://{0.netloc}".format(urlsplit(page.url))


def reload_until_visible(
    page: Page, locator: Locator, deadline_s: float, step_ms: float
) -> None:
    """Wait for `locator`, reloading the page each time `step_ms` pass without it.

    `deadline_s` is a `time.monotonic()` value: once past it, the last wait's
    failure is raised.
    """
    while True:
        try:
            expect(locator).to_be_visible(timeout=step_ms)
        except AssertionError:
            if time.monotonic() > deadline_s:
                raise
            page.reload()
        else:
            return


def open_device_page(page: Page, name: str) -> None:
    """The device's page, opened from the integration's list of devices."""
    page.goto(INTEGRATION_PAGE.format(hass_url(page)))
    page.get_by_role("list").get_by_role("listitem").filter(has_text=name).click()
    expect(page).to_have_url(re.compile(r"/config/devices/device/"))
    expect(page.get_by_text("Device info")).to_be_visible()


class HomeAssistantApi:
    """Home Assistant's REST API, with the browser's own login."""

    def __init__(self, page: Page) -> None:
        """Borrow the address and the access token of the user signed in on `page`."""
        self.url = hass_url(page)
        self._token: str = page.evaluate(
            "() => JSON.parse(localStorage.getItem('hassTokens')).access_token"
        )

    def call(self, method: str, path: str, body: object = None) -> bytes:
        """Send a request; the raw answer."""
        request = Request(  # noqa: S310 - the test's own server
            f"{self.url}/api/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
            },
        )
        with urlopen(request, timeout=30) as response:  # noqa: S310
            answer: bytes = response.read()
        return answer

    def state(self, entity_id: str) -> dict[str, Any]:
        """An entity's state."""
        state: dict[str, Any] = json.loads(self.call("GET", f"states/{entity_id}"))
        return state

    def entity_id(self, friendly_name: str) -> str:
        """The entity with this name (entity ids come from the names)."""
        states = json.loads(self.call("GET", "states"))
        entity_id: str = next(
            state["entity_id"]
            for state in states
            if state["attributes"].get("friendly_name") == friendly_name
        )
        return entity_id
