"""Which smart plug powers which Echo, as the user set it ("Powered by")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import count
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import SelectOptionDict
from homeassistant.helpers.translation import async_get_translations

from ..amazon.models import AccountSnapshot
from ..const import DOMAIN
from ..util.storage import LenientStore, Parsed, mapping

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1


# The "Powered by" select's choice for no plug; no plug's label may read so.
NO_PLUG = "none"


def _labels_of(name: str, key: str) -> Iterator[str]:
    """Labels for a plug whose name is taken: ever longer ends of its key."""
    yield f"{name} ({key[-4:]})"
    yield f"{name} ({key[-8:]})"
    yield f"{name} ({key})"
    # Only a plug named after another's whole key gets here.
    for number in count(2):
        yield f"{name} ({key}, {number})"


def plug_labels(snapshot: AccountSnapshot) -> dict[str, str]:
    """Plug key → its label: its name, unless that names another plug or none.

    Names that several plugs share (in any case), or that read as "none",
    get the end of the plug's key; a label a plug's own name already takes
    is not given again, so every label maps back to exactly one plug.
    """
    names = Counter(plug.name.casefold() for plug in snapshot.plugs.values())
    labels = {
        key: plug.name
        for key, plug in snapshot.plugs.items()
        if names[plug.name.casefold()] == 1 and plug.name.casefold() != NO_PLUG
    }
    taken = {NO_PLUG, *(label.casefold() for label in labels.values())}
    # In key order, so that a plug keeps its label while the others stay.
    for key in sorted(snapshot.plugs.keys() - labels.keys()):
        name = snapshot.plugs[key].name
        label = next(x for x in _labels_of(name, key) if x.casefold() not in taken)
        taken.add(label.casefold())
        labels[key] = label
    return {key: labels[key] for key in snapshot.plugs}


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

    def other_echos(
        self, snapshot: AccountSnapshot, plug_key: str, echo_key: str
    ) -> list[str]:
        """The names of the Echos other than this one that the plug powers."""
        return [
            snapshot.devices[echo].name
            for echo in self.echos_of(plug_key)
            if echo != echo_key and echo in snapshot.devices
        ]

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


async def async_plug_choices(
    hass: HomeAssistant, snapshot: AccountSnapshot, links: PowerLinks, echo_key: str
) -> list[SelectOptionDict]:
    """The plugs an Echo can be linked to, by key; one of another Echo says so."""
    # The frontend shows option labels as they are: they are translated here.
    texts = await async_get_translations(
        hass, hass.config.language, "selector", {DOMAIN}
    )
    powers = texts.get(
        f"component.{DOMAIN}.selector.plug.options.powers", "{plug} ({echos})"
    )
    choices: list[SelectOptionDict] = []
    for key, name in plug_labels(snapshot).items():
        echos = links.other_echos(snapshot, key, echo_key)
        label = powers.format(plug=name, echos=", ".join(echos)) if echos else name
        choices.append(SelectOptionDict(value=key, label=label))
    return choices
