"""aioamazondevices, wrapped: its client, its HTTP wrapper and its errors.

The library's public calls cover most of what we need; the few requests it
has no call for go through its own HTTP wrapper here, so that they carry the
cookies, CSRF token and headers Amazon expects and are retried the way the
library's own requests are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
import dataclasses
from http import HTTPMethod, HTTPStatus
import importlib
from pathlib import Path
import types
from typing import Any, TypeGuard, get_origin

from aioamazondevices import exceptions as library_exceptions
from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.const import http as library_http
from aioamazondevices.exceptions import AmazonError, CannotAuthenticate, CannotConnect
from aioamazondevices.structures import AmazonDevice, AmazonSaveDataConfig
from aiohttp import ClientError, ClientSession, ServerDisconnectedError
from bs4 import BeautifulSoup
from yarl import URL

from .models import (
    LOGGER,
    AmazonAuthError,
    AmazonConnectionError,
    AmazonMissingCountryError,
    AmazonNoAnswerError,
    AmazonResponseError,
    AmazonThrottledError,
    Echo,
)

URI_GRAPHQL = "nexus/v1/graphql"
# What charset_normalizer tries on an answer before any other encoding, when
# the answer declares none and has no byte order mark (its api.from_bytes).
FIRST_PAGE_ENCODINGS = ("ascii", "utf_8")
# From aioamazondevices 17: the account has no country of residence.
_missing_country: type[AmazonError] | None = getattr(
    library_exceptions, "MissingCountryError", None
)
_MISSING_COUNTRY = (_missing_country,) if _missing_country else ()


def _is_throttling(err: BaseException | None) -> bool:
    # The library retries a 429 twice, then raises with the status phrase,
    # sometimes wrapped in an error of its own (a failed reboot).
    while err is not None:
        if HTTPStatus.TOO_MANY_REQUESTS.phrase in str(err):
            return True
        err = err.__cause__
    return False


@asynccontextmanager
async def amazon_errors() -> AsyncIterator[None]:
    """Translate the library's (and aiohttp's) errors into ours."""
    try:
        yield
    except CannotAuthenticate as err:
        raise AmazonAuthError(str(err)) from err
    except _MISSING_COUNTRY as err:
        raise AmazonMissingCountryError(str(err) or type(err).__name__) from err
    except (ServerDisconnectedError, TimeoutError) as err:
        raise AmazonNoAnswerError(str(err) or type(err).__name__) from err
    except CannotConnect as err:
        # The library's wrapper hides a request sent and never answered (Amazon
        # may have acted on it) behind the same error as one never sent.
        if isinstance(err.__cause__, ServerDisconnectedError | TimeoutError):
            raise AmazonNoAnswerError(str(err)) from err
        raise AmazonConnectionError(str(err) or type(err).__name__) from err
    except ClientError as err:
        raise AmazonConnectionError(str(err) or type(err).__name__) from err
    except AmazonError as err:
        if _is_throttling(err):
            raise AmazonThrottledError(str(err)) from err
        raise AmazonResponseError(str(err) or type(err).__name__) from err
    except ValueError as err:
        # How the library says that an answer is not JSON.
        raise AmazonResponseError(str(err) or type(err).__name__) from err


@contextmanager
def reading_answer() -> Iterator[None]:
    """Around code that reads Amazon's answer, and only there.

    An answer that lacks a field, or holds one of another type, raises these
    while it is read: Amazon changed it. (ArithmeticError: a number no date
    holds, as a stamp of 1e300 milliseconds.) Around a call into the library the
    same errors would mean the library changed, which the setup's check of
    the library names instead (touchpoints.py).
    """
    try:
        yield
    except (
        KeyError,
        TypeError,
        AttributeError,
        ValueError,
        IndexError,
        ArithmeticError,
    ) as err:
        raise AmazonResponseError(f"{type(err).__name__}: {err}") from err


def readable_login(login_data: object) -> TypeGuard[dict[str, Any]]:
    """Whether a stored login has the shape the library reads it in.

    Empty is readable: the library then asks for a sign-in (no stored
    login). Otherwise it reads these parts without checking them, and a
    damaged entry would fail inside it.
    """
    if not isinstance(login_data, dict):
        return False
    if not login_data:
        return True
    device_info, customer_info = (
        login_data.get("device_info"),
        login_data.get("customer_info"),
    )
    return (
        isinstance(device_info, Mapping)
        and isinstance(device_info.get("device_serial_number"), str)
        and isinstance(customer_info, Mapping)
        and isinstance(login_data.get("refresh_token"), str)
        and isinstance(login_data.get("website_cookies"), Mapping)
    )


def read_or_leave_out[T](read: Callable[[], T], what: str) -> T | None:
    """One device or record of an answer, read on its own; None if it cannot be.

    One of another shape costs itself, not the whole answer: the others are
    shown as usual. Warned of each time; the repeat filter keeps that to one
    line an hour (util/log_repeats.py).
    """
    try:
        with reading_answer():
            return read()
    except AmazonResponseError as err:
        LOGGER.warning(
            "Amazon listed %s that cannot be read; it is left out (%s)", what, err
        )
        return None


def import_page_encodings() -> None:
    """Import the text encodings the library's page parser looks up.

    The library parses every answer with BeautifulSoup, which asks
    charset_normalizer for the encoding of an answer that declares none
    (Amazon's JSON); charset_normalizer imports `encodings.*` modules as it
    tries them, which would block the event loop. Run this in the executor
    before signing in.

    It tries ASCII and UTF-8 first and stops at the first that reads the
    answer cleanly, which every answer of Amazon's is (JSON is UTF-8, in
    whatever script the names and requests are written): only those two are
    imported. The other 95 it knows, which it reaches only for an answer that
    is neither, kept about 2 MiB for as long as Home Assistant ran.
    """
    for name in FIRST_PAGE_ENCODINGS:
        importlib.import_module(f"encodings.{name}")


def new_library_client(
    session: ClientSession,
    email: str,
    password: str,
    storage_dir: Path,
    login_data: dict[str, Any] | None = None,
) -> AmazonEchoApi:
    """The library's client for one account."""
    return AmazonEchoApi(
        session,
        email,
        password,
        save_data=AmazonSaveDataConfig(path=storage_dir),
        login_data=login_data or None,
    )


def _empty_value(annotation: Any) -> Any:  # noqa: ANN401
    """An empty value of a field's type: {}, [], None, False or ""."""
    origin = get_origin(annotation) or annotation
    if isinstance(annotation, types.UnionType) and type(None) in annotation.__args__:
        return None
    return {dict: {}, list: [], bool: False, str: ""}.get(origin)


def library_device(echo: Echo) -> AmazonDevice:
    """The library's device object for its per-device calls.

    Those calls (reboot, do not disturb, text commands) read only the serial
    number, the device type and the name; the library builds these objects
    only in get_devices_data, which costs a request per device. So we fill
    the fields we know and leave the others empty, whatever the library's
    version adds.
    """
    known: dict[str, Any] = {
        "account_name": echo.name,
        "serial_number": echo.key,
        "device_type": echo.device_type,
        "capabilities": sorted(echo.capabilities),
        "device_cluster_members": {echo.key: echo.device_type},
        "online": echo.online,
        "model": echo.model,
        "manufacturer": echo.manufacturer,
        "software_version": echo.software_version,
    }
    return AmazonDevice(
        **{
            field.name: known.get(field.name, _empty_value(field.type))
            for field in dataclasses.fields(AmazonDevice)
        }
    )


class LibraryRequests:
    """Requests the library has no public call for, sent through its wrapper."""

    def __init__(self, client: AmazonEchoApi, login_data: dict[str, Any]) -> None:
        """Use the client's HTTP wrapper and the login data it refreshes."""
        self._client = client
        self._login_data = login_data

    @property
    def _wrapper(self) -> Any:  # noqa: ANN401 # the library's private wrapper
        return self._client._http_wrapper  # noqa: SLF001

    def url(
        self,
        path: str,
        query: Mapping[str, str | int] | None = None,
        host: str = "alexa",
    ) -> URL:
        """An Amazon address on the account's marketplace.

        `host` is `alexa` (the Alexa web API) or `www` (the retail site, where
        the voice history lives); `path` is already percent-encoded.
        """
        return URL(
            f"https://{host}.amazon.{self._client.domain}/{path}", encoded=True
        ).with_query(query)

    async def refresh_access_token(self) -> str:
        """A fresh access token: the library renews it only for its own calls."""
        await self._wrapper.refresh_data(library_http.REFRESH_ACCESS_TOKEN)
        return str(self._login_data[library_http.REFRESH_ACCESS_TOKEN])

    async def page(self, url: URL) -> BeautifulSoup:
        """A web page, parsed as the library parses its sign-in pages."""
        page, _ = await self._wrapper.session_request(method=HTTPMethod.GET, url=url)
        soup: BeautifulSoup = page
        return soup

    async def json(
        self,
        method: HTTPMethod,
        url: URL,
        payload: object = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send one request and read its JSON answer ({} for an empty one)."""
        if url.path == f"/{URI_GRAPHQL}":
            # Like the library: the app's user agent for GraphQL only.
            headers = {"User-Agent": library_http.REQUEST_AGENT["Amazon"]}
        _, response = await self._wrapper.session_request(
            method=method,
            url=url,
            input_data=payload,
            json_data=payload is not None,
            extended_headers=headers,
        )
        if not await response.read():
            return {}  # DELETE answers with no body
        # An empty description keeps the library from logging the answer,
        # which for the voice history holds what people said.
        answer: object = await self._wrapper.response_to_json(response, "")
        if not isinstance(answer, dict):
            # The library hands on a JSON string, number or true as it is.
            raise AmazonResponseError(
                f"Amazon answered {type(answer).__name__}, not an object"
            )
        return answer
