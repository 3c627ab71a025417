"""The one module that talks to Amazon.

Everything above it sees our own frozen dataclasses and our own exceptions;
nothing else imports aioamazondevices.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aioamazondevices.api import AmazonEchoApi
from aioamazondevices.const.devices import SPEAKER_GROUP_FAMILY
from aioamazondevices.exceptions import (
    AmazonError,
    CannotAuthenticate,
    CannotConnect,
    NoOnlineDevicesError,
    WrongMethod,
)
from aioamazondevices.structures import AmazonDevice, AmazonSaveDataConfig
from aiohttp import ClientError, ClientSession


class AlexaCareError(Exception):
    """Base of the errors this module raises."""


class AmazonAuthError(AlexaCareError):
    """Amazon refused the login or the stored tokens."""


class AmazonConnectionError(AlexaCareError):
    """Amazon could not be reached."""


class AmazonResponseError(AlexaCareError):
    """Amazon answered, but not with anything we can use."""


@dataclass(frozen=True, kw_only=True)
class Echo:
    """An Echo (or another Alexa device with microphones) on the account."""

    serial_number: str
    device_type: str
    name: str
    model: str | None
    manufacturer: str | None
    software_version: str | None
    online: bool
    capabilities: frozenset[str]


@dataclass(frozen=True, kw_only=True)
class AccountSnapshot:
    """What one poll learned about the account, keyed by serial number."""

    echos: Mapping[str, Echo]


@dataclass(frozen=True, kw_only=True)
class LoginResult:
    """The outcome of an interactive login."""

    customer_id: str
    site: str
    login_data: dict[str, Any]


@asynccontextmanager
async def _amazon_errors() -> AsyncIterator[None]:
    """Translate the library's (and aiohttp's) errors into ours."""
    try:
        yield
    except CannotAuthenticate as err:
        raise AmazonAuthError(str(err)) from err
    except (CannotConnect, ClientError, TimeoutError) as err:
        raise AmazonConnectionError(str(err) or type(err).__name__) from err
    except (AmazonError, ValueError, KeyError, TypeError) as err:
        # The library raises KeyError/ValueError/TypeError when Amazon's
        # answer lacks a field or is not JSON.
        raise AmazonResponseError(str(err) or type(err).__name__) from err


def _new_library_client(
    session: ClientSession,
    email: str,
    password: str,
    storage_dir: Path,
    login_data: dict[str, Any] | None = None,
) -> AmazonEchoApi:
    return AmazonEchoApi(
        session,
        email,
        password,
        save_data=AmazonSaveDataConfig(path=storage_dir),
        # The library refreshes tokens inside this dict: give it its own copy
        # so the config entry's data is only changed through Home Assistant.
        login_data=copy.deepcopy(login_data) if login_data else None,
    )


async def async_login(
    session: ClientSession,
    storage_dir: Path,
    *,
    email: str,
    password: str,
    one_time_code: str,
) -> LoginResult:
    """Log in with email, password and the authenticator app's code.

    The password is used for this login only: the library refreshes the
    tokens it returns without it.
    """
    client = _new_library_client(session, email, password, storage_dir)
    async with _amazon_errors():
        login_data = await client.login.login_mode_interactive(one_time_code)
        customer_id = str(login_data["customer_info"]["user_id"])
        site = str(login_data["site"])
    return LoginResult(customer_id=customer_id, site=site, login_data=login_data)


def _is_echo(device: AmazonDevice) -> bool:
    # Speaker groups are not devices: there is nothing to restart or reset.
    # Devices without microphones (an air quality monitor) are not Echos.
    return (
        device.voice_control_supported and device.device_family != SPEAKER_GROUP_FAMILY
    )


def _echo_from_library(device: AmazonDevice) -> Echo:
    return Echo(
        serial_number=device.serial_number,
        device_type=device.device_type,
        name=device.account_name,
        model=device.model,
        manufacturer=device.manufacturer,
        software_version=device.software_version,
        online=device.online,
        capabilities=frozenset(device.capabilities),
    )


class AmazonAccount:
    """An Amazon account reached with the tokens of an earlier login."""

    def __init__(
        self,
        session: ClientSession,
        storage_dir: Path,
        *,
        email: str,
        login_data: dict[str, Any],
    ) -> None:
        """Prepare the client; nothing is sent to Amazon yet."""
        # No password: the stored tokens are all the library needs from here on.
        self._client = _new_library_client(session, email, "", storage_dir, login_data)

    async def async_login(self) -> None:
        """Check the stored tokens by logging in with them."""
        async with _amazon_errors():
            try:
                await self._client.login.login_mode_stored_data()
            except WrongMethod as err:
                raise AmazonAuthError("no stored login") from err

    async def async_get_snapshot(self) -> AccountSnapshot:
        """Read every device and its online state."""
        async with _amazon_errors():
            try:
                devices = await self._client.get_devices_data()
            except NoOnlineDevicesError as err:
                raise AmazonResponseError(
                    "Amazon reports no device of the account online"
                ) from err
        return AccountSnapshot(
            echos={
                serial: _echo_from_library(device)
                for serial, device in devices.items()
                if _is_echo(device)
            }
        )

    async def async_get_login_data(self) -> dict[str, Any]:
        """Return the login data as it stands now, refreshed tokens included.

        After async_login this sends nothing: the library only asks Amazon
        when it does not know the account's customer id yet.
        """
        async with _amazon_errors():
            return copy.deepcopy(await self._client.login.login_mode_stored_data())
