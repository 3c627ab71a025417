"""Send a client's Amazon requests to the emulator, and only those.

aiohttp asks its connector's resolver for a host's addresses, and a resolver
answers with host *and* port: answering 127.0.0.1 and the emulator's port
for Amazon's host names reaches the emulator without root, /etc/hosts or
port 443, while the URL, the Host header and the certificate check keep the
real name. Every other host is resolved as before. The certificate is then
checked against the emulator's throwaway CA, which the client must trust.

Used by the development launcher (devtools.hass_with_emulator) for Home
Assistant's connectors, and by the tests for a plain aiohttp session.
"""

from __future__ import annotations

import socket
import ssl
from typing import override

from aiohttp import TCPConnector, ThreadedResolver
from aiohttp.abc import AbstractResolver, ResolveResult

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
