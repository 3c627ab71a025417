"""Send a client's Amazon requests to the emulator, and only those.

aiohttp asks its connector's resolver for a host's addresses, and a resolver
answers with host *and* port: answering 127.0.0.1 and the emulator's port
for Amazon's host names reaches the emulator without root, /etc/hosts or
port 443, while the URL, the Host header and the certificate check keep the
real name. Every other host is resolved as before. The certificate is then
checked against the emulator's throwaway CA, which the client must trust.

Used by the development launcher (devtools.hass_with_emulator) for Home
Assistant's connectors, and by the tests for a plain aiohttp session.

httpx (Home Assistant's client for the library's HTTP/2 push channel) has
no resolver to give: `route_httpx` patches httpcore's connect instead, and
sends the push hosts to the push port, the other Amazon hosts to the HTTPS
port.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any, override

from aiohttp import TCPConnector, ThreadedResolver
from aiohttp.abc import AbstractResolver, ResolveResult

from .push_payloads import is_push_host

# The domains (and their subdomains) of the amazon.com marketplace's API.
AMAZON_DOMAINS = ("amazon.com", "amazonalexa.com")


def is_amazon_host(host: str) -> bool:
    """Whether the emulator answers for `host`."""
    host = host.rstrip(".").casefold()
    return any(
        host == domain or host.endswith(f".{domain}") for domain in AMAZON_DOMAINS
    )


def emulator_address(host: str, emulator_port: int) -> list[ResolveResult]:
    """The emulator's address, as a resolver returns it for `host`."""
    return [
        ResolveResult(
            hostname=host,
            host="127.0.0.1",
            port=emulator_port,
            family=socket.AF_INET,
            proto=0,
            flags=socket.AI_NUMERICHOST,
        )
    ]


class EmulatorResolver(AbstractResolver):
    """Resolves Amazon's hosts to the emulator, the others as `fallback` does."""

    def __init__(
        self, emulator_port: int, fallback: AbstractResolver | None = None
    ) -> None:
        """Route Amazon to 127.0.0.1:`emulator_port`."""
        self._port = emulator_port
        self._fallback = fallback or ThreadedResolver()

    @override
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if is_amazon_host(host):
            return emulator_address(host, self._port)
        return await self._fallback.resolve(host, port, family)

    @override
    async def close(self) -> None:
        await self._fallback.close()


def trusting_context(ca_certificate: str) -> ssl.SSLContext:
    """A client SSL context that trusts the emulator's CA (and nothing else)."""
    return ssl.create_default_context(cafile=ca_certificate)


def emulator_connector(emulator_port: int, ca_certificate: str) -> TCPConnector:
    """An aiohttp connector whose Amazon requests reach the emulator."""
    return TCPConnector(
        resolver=EmulatorResolver(emulator_port),
        ssl=trusting_context(ca_certificate),
    )


def route_httpx(emulator_port: int, push_port: int) -> None:
    """Send httpx's connections to Amazon's hosts to the emulator, for good.

    httpcore connects through its AutoBackend; the TLS server name and the
    Host header stay the requested host's. Home Assistant 2026.11 aliases
    httpcore to httpcore2 when it is imported: call this after that import,
    so that the class patched is the one its clients use.
    """
    from httpcore._backends.auto import AutoBackend  # noqa: PLC0415

    connect_tcp = AutoBackend.connect_tcp

    async def to_emulator(  # noqa: PLR0913, PLR0917 # httpcore's signature
        self: AutoBackend,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Any = None,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        if is_amazon_host(host):
            port = push_port if is_push_host(host) else emulator_port
            host = "127.0.0.1"
        return await connect_tcp(
            self,
            host,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    AutoBackend.connect_tcp = to_emulator  # type: ignore[method-assign]
