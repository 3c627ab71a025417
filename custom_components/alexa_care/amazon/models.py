"""Our own picture of an Amazon account, and the errors reading it raises."""

from __future__ import annotations

from collections.abc import Mapping
import copy
from dataclasses import field
from datetime import UTC, datetime, timedelta
from functools import cached_property
import logging
from typing import Any

from ..util.record import Record

CAPABILITY_REBOOT = "ALEXA_DEVICE_REBOOT"
CAPABILITY_DEREGISTER = "DEREGISTER_DEVICE"
CAPABILITY_MICROPHONE = "MICROPHONE"
# Records that are no request: only the wake word, nothing understood, or a
# request another Echo answered (the library skips the same kinds).
NOT_A_REQUEST = frozenset(
    {"ASR_TIMEOUT", "DEVICE_ARBITRATION", "NO_EXPRESSED_INTENT", "WAKE_WORD_ONLY"}
)


# The integration's own logger, which the package may not import from
# const.py: the log privacy filter sits on it, and a logger's filter never
# sees what its children log.
LOGGER = logging.getLogger(__name__.partition(".amazon.")[0])

# Amazon shipped the first Echo on 6 November 2014.
_FIRST_ECHO = datetime(2014, 11, 6, tzinfo=UTC)
# Beyond Amazon's clock running minutes ahead of ours (clock_offset.py).
_AHEAD_AT_MOST = timedelta(days=1)


def placeable(moment: datetime) -> bool:
    """Whether a moment (with its time zone) is one a device can have lived.

    Since the first Echo shipped, and not a day ahead of our clock. Others,
    from Amazon or a stored file, are no moment in time for us, and would
    overflow the date arithmetic they meet (local time, cooldowns).
    """
    return _FIRST_ECHO <= moment <= datetime.now(UTC) + _AHEAD_AT_MOST


class AlexaCareError(Exception):
    """Base of the errors the Amazon package raises."""


class AmazonAuthError(AlexaCareError):
    """Amazon refused the login or the stored tokens."""


class AmazonConnectionError(AlexaCareError):
    """Amazon could not be reached."""


class AmazonNoAnswerError(AmazonConnectionError):
    """The request was sent and no answer came: Amazon may have acted on it."""


class AmazonResponseError(AlexaCareError):
    """Amazon answered, but not with anything we can use."""


class AmazonThrottledError(AlexaCareError):
    """Amazon throttles the account (HTTP 429 or its GraphQL equivalent)."""


class AmazonMissingCountryError(AlexaCareError):
    """The account has no country of residence, without which Amazon refuses."""


class LibraryMismatchError(AlexaCareError):
    """The installed aioamazondevices lacks a part Alexa Care relies on."""

    def __init__(self, version: str, missing: list[str]) -> None:
        """Name the library's version and what it lacks."""
        super().__init__(f"aioamazondevices {version} lacks {', '.join(missing)}")
        self.version = version
        self.missing = missing


class Device(Record):
    """What every device on the account has."""

    key: str
    name: str
    model: str | None
    manufacturer: str | None
    serial_number: str | None
    software_version: str | None
    # None when Amazon reports no reachability for the device.
    online: bool | None
    # Not compared: Amazon stamps an online device's every sample anew, and a
    # poll that moved only these stamps must not wake every entity. The one
    # sensor that shows it follows them on its own (coordinator.py).
    last_seen_online: datetime | None = field(compare=False)


class Echo(Device):
    """An Echo, or another Alexa device with microphones. Its key is its serial."""

    device_type: str
    capabilities: frozenset[str]
    do_not_disturb: bool | None
    # Only the push channel tells (the microphone button): None until it has.
    microphones_on: bool | None = None

    @property
    def can_restart(self) -> bool:
        """Whether Amazon can reboot it."""
        return CAPABILITY_REBOOT in self.capabilities

    @property
    def can_deregister(self) -> bool:
        """Whether Amazon lets it be deregistered remotely."""
        return CAPABILITY_DEREGISTER in self.capabilities


class SmartPlug(Device):
    """A smart plug Alexa controls. Its key is its endpoint id."""

    appliance_id: str | None
    power_on: bool | None


class AccountSnapshot(Record):
    """What one poll learned about the account.

    Snapshots compare by value, so a poll that changed nothing is seen as
    such and wakes no entity (Amazon's sample times aside, see Device).
    """

    echos: Mapping[str, Echo]
    plugs: Mapping[str, SmartPlug]

    @cached_property
    def devices(self) -> Mapping[str, Device]:
        """Every device, Echos and plugs, by key (built once: every entity asks)."""
        return {**self.echos, **self.plugs}

    def without(self, device_key: str) -> AccountSnapshot:
        """This snapshot without one device: it left the account."""
        return copy.replace(
            self,
            echos={k: v for k, v in self.echos.items() if k != device_key},
            plugs={k: v for k, v in self.plugs.items() if k != device_key},
        )

    def with_changes(self, device: Device, **changes: Any) -> AccountSnapshot:  # noqa: ANN401
        """This snapshot with one device's fields changed, as Amazon was told."""
        changed = copy.replace(device, **changes)
        if isinstance(changed, Echo):
            return copy.replace(self, echos={**self.echos, changed.key: changed})
        if isinstance(changed, SmartPlug):
            return copy.replace(self, plugs={**self.plugs, changed.key: changed})
        return self


class EchoConnectionPushed(Record):
    """Amazon pushed that an Echo's connection to it went up or down."""

    serial_number: str
    online: bool


class DoNotDisturbPushed(Record):
    """Amazon pushed that do not disturb was switched on an Echo."""

    serial_number: str
    enabled: bool


class MicrophonesPushed(Record):
    """Amazon pushed that an Echo's microphone button was pressed."""

    serial_number: str
    on: bool


class VoiceRequestPushed(Record):
    """Amazon pushed the event that follows a voice request to an Echo."""

    serial_number: str


class PlugPushed(Record):
    """Amazon pushed a smart plug's new state (switched by voice or in the app).

    None for what the change did not carry.
    """

    endpoint_id: str
    power_on: bool | None
    online: bool | None


type PushedChange = (
    EchoConnectionPushed
    | DoNotDisturbPushed
    | MicrophonesPushed
    | VoiceRequestPushed
    | PlugPushed
)


class WifiDetails(Record):
    """An Echo's network identity: the Wi-Fi network it joined, its MAC address.

    Both identify a home: they are never logged, and diagnostics mask them.
    """

    ssid: str | None
    mac_address: str | None


class VoiceRecord(Record):
    """One entry of the account's voice history: what was heard, and by whom."""

    time: datetime
    # The Echo that heard it; None for requests made in the Alexa app.
    serial_number: str | None
    # Its name as Amazon gives it with the record: the only name left once
    # the Echo has been deregistered.
    device_name: str | None
    kind: str
    intent: str | None
    heard: str | None
    answer: str | None

    @property
    def is_request(self) -> bool:
        """Whether someone asked this Echo something (not only its wake word)."""
        return self.serial_number is not None and self.kind not in NOT_A_REQUEST


class LoginResult(Record):
    """The outcome of an interactive login."""

    customer_id: str
    site: str
    login_data: dict[str, Any]
