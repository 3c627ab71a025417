"""Run Home Assistant with its Amazon traffic sent to the Amazon emulator.

    python -m devtools.hass_with_emulator --emulator-port 8124
        --emulator-push-port 8126 --emulator-ca config/.amazon_emulator/ca.pem
        -- --config config

Everything after the launcher's own options goes to `hass`. Development only:
the integration has no emulator switch; this launcher changes how Home
Assistant's HTTP clients reach Amazon, before Home Assistant starts.

Why this way:
- Host names. Home Assistant builds every aiohttp connector (the one behind
  `async_create_clientsession`, which Alexa Care uses, included) with the
  resolver from `homeassistant.helpers.aiohttp_client._async_make_resolver`.
  Replacing that function before anything calls it gives every connector a
  resolver that answers 127.0.0.1 and the emulator's port for Amazon's host
  names, and asks Home Assistant's own resolver for all other hosts. No root,
  no /etc/hosts, no port 443, and URLs, Host headers and certificate checks
  keep Amazon's names. If Home Assistant renames the function, the launcher
  stops with an error rather than silently reaching the real Amazon.
- httpx. The library's HTTP/2 push channel (bob-dispatch-prod-*.amazon.com)
  goes through Home Assistant's httpx client, which has no resolver to
  replace: `routing.route_httpx` sends its Amazon connections to the
  emulator's push port (the push hosts) and HTTPS port (the others).
- Trust. `homeassistant.util.ssl` builds (and caches, at import) its client
  SSL contexts from the file in $REQUESTS_CA_BUNDLE, or certifi's bundle.
  Setting that variable, before the module is imported, to a bundle of the
  usual authorities plus the emulator's CA makes every context trust the
  emulator, cached or not, while the real authorities still work.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import socket
import sys
import tempfile
from typing import override

from aiohttp.abc import ResolveResult

from devtools.amazon_emulator.routing import (
    emulator_address,
    is_amazon_host,
    route_httpx,
)


def trust_emulator_ca(ca_certificate: Path) -> None:
    """Make Home Assistant's SSL contexts trust the emulator's CA as well."""
    if "homeassistant.util.ssl" in sys.modules:
        raise RuntimeError("Home Assistant's SSL contexts exist already")
    import certifi  # noqa: PLC0415 - only the launcher needs it

    usual = Path(os.environ.get("REQUESTS_CA_BUNDLE") or certifi.where())
    bundle = Path(tempfile.gettempdir()) / "alexa-care-emulator-ca-bundle.pem"
    bundle.write_text(usual.read_text() + "\n" + ca_certificate.read_text())
    os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)


def route_amazon(emulator_port: int) -> None:
    """Make Home Assistant's connectors resolve Amazon to the emulator."""
    # Imported only now: the SSL contexts are built at this import.
    from homeassistant.components import zeroconf  # noqa: PLC0415
    from homeassistant.core import HomeAssistant  # noqa: PLC0415
    from homeassistant.helpers import aiohttp_client  # noqa: PLC0415

    if not hasattr(aiohttp_client, "_async_make_resolver"):
        raise RuntimeError("Home Assistant no longer has _async_make_resolver")

    class EmulatorHassResolver(aiohttp_client.HassAsyncDNSResolver):
        """Home Assistant's resolver, with Amazon at the emulator."""

        @override
        async def resolve(
            self,
            host: str,
            port: int = 0,
            family: socket.AddressFamily = socket.AF_INET,
        ) -> list[ResolveResult]:
            if is_amazon_host(host):
                return emulator_address(host, emulator_port)
            return await super().resolve(host, port, family)

    def make_resolver(hass: HomeAssistant) -> aiohttp_client.HassAsyncDNSResolver:
        return EmulatorHassResolver(
            async_zeroconf=zeroconf.async_get_async_zeroconf(hass)
        )

    aiohttp_client._async_make_resolver = make_resolver  # noqa: SLF001


def main() -> int:
    """Route Amazon to the emulator, then run Home Assistant."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.hass_with_emulator",
        description="Home Assistant with Amazon's hosts at the Amazon emulator; "
        "the other arguments go to hass.",
    )
    parser.add_argument("--emulator-port", type=int, required=True)
    parser.add_argument("--emulator-push-port", type=int, required=True)
    parser.add_argument("--emulator-ca", type=Path, required=True)
    args, hass_args = parser.parse_known_args()
    trust_emulator_ca(args.emulator_ca)
    route_amazon(args.emulator_port)
    # After route_amazon: Home Assistant is imported, httpcore aliased.
    route_httpx(args.emulator_port, args.emulator_push_port)
    from homeassistant.__main__ import main as hass_main  # noqa: PLC0415

    sys.argv = ["hass", *(arg for arg in hass_args if arg != "--")]
    return hass_main()


if __name__ == "__main__":
    sys.exit(main())
