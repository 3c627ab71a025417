"""Tests of the library's wrapping: which errors blame the answer; its parser."""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.amazon.library import amazon_errors, reading_answer
from custom_components.alexa_care.amazon.models import AmazonResponseError
from custom_components.alexa_care.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_CODE, CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .common import settle
from .conftest import TEST_CODE, TEST_EMAIL, TEST_PASSWORD
from .fake_amazon import FakeAmazon
from .fake_sign_in import FakeSignIn


@pytest.mark.parametrize(
    "error", [KeyError("data"), TypeError("'NoneType' object is not subscriptable")]
)
def test_an_answer_that_lacks_a_field_is_unusable(error: Exception) -> None:
    """Raised while an answer is read, they blame the answer."""
    with (
        pytest.raises(AmazonResponseError, match=type(error).__name__),
        reading_answer(),
    ):
        raise error


@pytest.mark.parametrize("error", [AttributeError("_http_wrapper"), TypeError("x")])
async def test_a_library_call_that_breaks_is_not_blamed_on_amazon(
    error: Exception,
) -> None:
    """Raised by a call into the library, they stay what they are: a bug."""
    with pytest.raises(type(error)):
        async with amazon_errors():
            raise error


async def test_amazon_answers_need_no_encoding_import_on_the_event_loop(
    hass: HomeAssistant,
    fake_amazon: FakeAmazon,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """The library's page parser finds every encoding it asks for imported.

    charset_normalizer imports `encodings.*` modules while it reads an answer
    that declares no encoding; on the event loop Home Assistant reports that
    as a blocking call. Through a sign-in (Amazon's HTML pages), the setup it
    starts and a poll (JSON), every encoding asked for on the loop was
    imported in the executor beforehand.
    """
    FakeSignIn().register(aioclient_mock)
    asked: list[tuple[str, bool]] = []
    import_module = importlib.import_module

    def spy(name: str, package: str | None = None) -> ModuleType:
        if name.startswith("encodings."):
            asked.append((name, threading.get_ident() == hass.loop_thread_id))
        return import_module(name, package)

    # Its caches (which functions have one differs between versions) would
    # hide the lookups an earlier test made.
    for name, module in list(sys.modules.items()):
        if name.startswith("charset_normalizer"):
            for value in list(vars(module).values()):
                if callable(cache_clear := getattr(value, "cache_clear", None)):
                    cache_clear()
    with patch("importlib.import_module", spy):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_EMAIL: TEST_EMAIL,
                CONF_PASSWORD: TEST_PASSWORD,
                CONF_CODE: TEST_CODE,
            },
        )
        await settle(hass)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        assert entry.state is ConfigEntryState.LOADED
        await entry.runtime_data.coordinator.async_refresh()

    on_loop = {name for name, loop in asked if loop}
    beforehand = {name for name, loop in asked if not loop}
    assert on_loop, "the parser asked for no encoding: nothing was checked"
    assert on_loop <= beforehand
