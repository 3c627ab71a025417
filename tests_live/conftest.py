"""Fixtures: the unit tests' own, without their frozen clock; the emulator.

These tests wait for real time or measure it, so the unit tests' autouse
`frozen_now` (which stops `time.perf_counter` too) is left out. The
library's wait before a retry stays instant: it is not what they test.

The emulator listens on 127.0.0.1 (free ports); the client session reaches
it the way Home Assistant does under the development launcher, through a
resolver that sends Amazon's host names there and an SSL context that trusts
the emulator's CA.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout
import pytest

from custom_components.alexa_care.amazon.client import AmazonAccount, async_login
from custom_components.alexa_care.amazon.models import LoginResult
from devtools.amazon_emulator.certificates import TlsFiles, ensure_certificates
from devtools.amazon_emulator.credentials import DEMO_CODE, DEMO_EMAIL, DEMO_PASSWORD
from devtools.amazon_emulator.routing import emulator_connector
from devtools.amazon_emulator.server import AmazonEmulator
from tests.conftest import (  # noqa: F401 # fixtures, found by name
    auto_enable_custom_integrations,
    fake_amazon,
    fake_push,
    login_data,
    mock_config_entry,
    no_library_retry_delays,
)

BOOT_SECONDS = 0.3
type Control = Callable[..., Awaitable[Any]]


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """One throwaway CA and certificate for the whole run."""
    return ensure_certificates(tmp_path_factory.mktemp("emulator-tls"))


@pytest.fixture
def echo_count() -> int:
    """How many Echos the emulated account has."""
    return 3


@pytest.fixture
async def emulator(tls: TlsFiles, echo_count: int) -> AsyncGenerator[AmazonEmulator]:
    """An account of Echos and one plug feeding the first, on free ports."""
    emulator = AmazonEmulator.with_devices(
        tls,
        echos=echo_count,
        plugs=1,
        reboot_seconds=BOOT_SECONDS,
        boot_seconds=BOOT_SECONDS,
    )
    await emulator.start()
    yield emulator
    await emulator.stop()


def emulator_session(
    emulator: AmazonEmulator, tls: TlsFiles, timeout: ClientTimeout | None = None
) -> ClientSession:
    """A client session whose Amazon requests reach the emulator."""
    connector = emulator_connector(emulator.port, str(tls.ca_certificate))
    return ClientSession(connector=connector, timeout=timeout or ClientTimeout())


@pytest.fixture
async def session(
    emulator: AmazonEmulator, tls: TlsFiles
) -> AsyncGenerator[ClientSession]:
    """A client session whose Amazon requests reach the emulator."""
    async with emulator_session(emulator, tls) as session:
        yield session


@pytest.fixture
async def control(emulator: AmazonEmulator) -> AsyncGenerator[Control]:
    """A caller of the emulator's control API (method, path, JSON body)."""
    base = f"http://127.0.0.1:{emulator.control_port}"
    async with ClientSession() as session:

        async def call(method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
            async with session.request(method, base + path, json=body) as response:
                assert response.status < 300, await response.text()
                return await response.json()

        yield call


async def login_with(
    session: ClientSession,
    storage: Path,
    *,
    password: str = DEMO_PASSWORD,
    code: str = DEMO_CODE,
) -> LoginResult:
    """The interactive login with the demo email."""
    return await async_login(
        session, storage, email=DEMO_EMAIL, password=password, one_time_code=code
    )


@pytest.fixture
async def login(session: ClientSession, tmp_path: Path) -> LoginResult:
    """The interactive login, through the HTML pages and the one-time code."""
    return await login_with(session, tmp_path)


@pytest.fixture
async def account(
    session: ClientSession, tmp_path: Path, login: LoginResult
) -> AmazonAccount:
    """The account, signed in again with the stored login data."""
    account = AmazonAccount(
        session, tmp_path, email=DEMO_EMAIL, login_data=login.login_data
    )
    await account.async_login()
    return account
