"""Serves the dashboard strategy and loads it in the frontend.

`strategy: {type: custom:alexa-care}` is then a dashboard's whole
configuration (frontend/alexa-care-strategy.js); no resource to add by hand.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant

from ..const import DOMAIN

STRATEGY_FILE = Path(__file__).parent / "alexa-care-strategy.js"
STRATEGY_URL = f"/{DOMAIN}/alexa-care-strategy.js"


def _version() -> str:
    return hashlib.sha256(STRATEGY_FILE.read_bytes()).hexdigest()[:12]


async def async_register_strategy(hass: HomeAssistant) -> None:
    """Serve the strategy's module and have every frontend load it.

    Without the frontend (a Home Assistant run headless) there is no
    dashboard to generate, and nothing to serve.
    """
    if "frontend" not in hass.config.components or hass.http is None:
        return
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STRATEGY_URL, str(STRATEGY_FILE), cache_headers=True)]
    )
    # The file's hash in the URL: a new version is loaded, not a cached one.
    version = await hass.async_add_executor_job(_version)
    add_extra_js_url(hass, f"{STRATEGY_URL}?v={version}")
