"""Which smart plug powers which Echo, as the user set it ("Powered by")."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from .amazon.models import AccountSnapshot
from .const import DOMAIN
from .storage import LenientStore, Parsed, mapping

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1


def plug_options(snapshot: AccountSnapshot) -> dict[str, str]:
    """Option shown → plug key; plugs that share a name get their key's end."""
    names = [plug.name for plug in snapshot.plugs.values()]
    return {
        plug.name if names.count(plug.name) == 1 else f"{plug.name} ({key[-4:]})": key
        for key, plug in snapshot.plugs.items()
    }


def _parse(stored: Any) -> Parsed[dict[str, str]]:  # noqa: ANN401
    left_out: list[str] = []
    links: dict[str, str] = {}
    for echo, plug in mapping(stored, "the file", left_out).items():
        if isinstance(plug, str) and plug:
            links[echo] = plug
        else:
            left_out.append(f"the plug of Echo {echo!r}")
    return links, left_out


class PowerLinks:
    """Echo serial number → key of the plug that powers it, kept on disk."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store of one config entry."""
        self._store: LenientStore[dict[str, str]] = LenientStore(
            hass,
            f"{DOMAIN}.{entry_id}.power_links",
            version=STORAGE_VERSION,
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._links: dict[str, str] = {}

    async def async_load(self) -> None:
        """Read the links saved before."""
        self._links = await self._store.async_load_leniently(_parse)

    @property
    def links(self) -> dict[str, str]:
        """Every link, Echo serial → plug key."""
        return dict(self._links)

    def plug_of(self, echo_key: str) -> str | None:
        """The plug that powers the Echo, if the user said so."""
        return self._links.get(echo_key)

    def echos_of(self, plug_key: str) -> list[str]:
        """The Echos a plug powers."""
        return [echo for echo, plug in self._links.items() if plug == plug_key]

    async def async_link(self, echo_key: str, plug_key: str | None) -> None:
        """Link an Echo to a plug, or unlink it with None, and save."""
        if plug_key is None:
            self._links.pop(echo_key, None)
        else:
            self._links[echo_key] = plug_key
        await self._store.async_save(self._links)

    async def async_forget(self, device_key: str) -> None:
        """Drop every link of a device that left the account, and save."""
        self._links = {
            echo: plug
            for echo, plug in self._links.items()
            if device_key not in (echo, plug)
        }
        await self._store.async_save(self._links)

    async def async_remove(self) -> None:
        """Delete the file when the config entry is removed."""
        await self._store.async_remove()
