"""Names, models and identifiers for the emulated devices.

Everything is derived from the device's number, so an emulator started again
with the same options lists the same devices and Home Assistant keeps them.
The models and device types are the ones in tests/fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass
import random
import uuid

ROOMS = (
    "Kitchen",
    "Bedroom",
    "Living Room",
    "Office",
    "Kids Room",
    "Bathroom",
    "Garage",
    "Hallway",
    "Guest Room",
    "Dining Room",
)
# Amazon's serial numbers: upper-case letters and digits.
_SERIAL_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, kw_only=True)
class EchoModel:
    """What devices-v2 and GraphQL say about a kind of Echo."""

    name: str
    device_type: str
    family: str
    serial_prefix: str
    software_version: str
    capabilities: tuple[str, ...]


ECHO_DOT = EchoModel(
    name="Echo Dot",
    device_type="A4ZXE0RM7LQ7A",
    family="ECHO",
    serial_prefix="G090XG",
    software_version="8960323972",
    capabilities=(
        "ALEXA_DEVICE_REBOOT",
        "AUDIO_PLAYER",
        "DEREGISTER_DEVICE",
        "MICROPHONE",
        "REMINDERS",
        "SUPPORTS_SOFTWARE_VERSION",
        "TIMERS_AND_ALARMS",
        "VOLUME_SETTING",
    ),
)
# Amazon cannot reboot this one remotely: only its plug can reset it.
ECHO_SHOW = EchoModel(
    name="Echo Show 8",
    device_type="A15996VY63BQ2D",
    family="KNIGHT",
    serial_prefix="G0B1Q9",
    software_version="29884356868",
    capabilities=(
        "AUDIO_PLAYER",
        "DEREGISTER_DEVICE",
        "MICROPHONE",
        "REMINDERS",
        "SUPPORTS_SOFTWARE_VERSION",
        "TIMERS_AND_ALARMS",
        "VOLUME_SETTING",
    ),
)
PLUG_MODEL = "Amazon Smart Plug"
PLUG_DEVICE_TYPE = "A3BRT6REIZ7F3S"
PLUG_SOFTWARE_VERSION = "305"
SPEAKER_GROUP_TYPE = "A3C9PE6TNYLTCH"
# What the library registers itself as at each login (an iPhone Alexa app).
APP_DEVICE_TYPE = "A2IVLV5VM2W81"


def _rng(kind: str, number: int) -> random.Random:
    # Not for security: stable identifiers for the same device number.
    return random.Random(f"{kind}-{number}")  # noqa: S311


def _chars(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_SERIAL_CHARS) for _ in range(count))


def _endpoint_id(rng: random.Random) -> str:
    return f"amzn1.alexa.endpoint.{uuid.UUID(int=rng.getrandbits(128), version=4)}"


@dataclass(frozen=True, kw_only=True)
class EchoIdentity:
    """An Echo's fixed facts."""

    number: int
    name: str
    model: EchoModel
    serial: str
    endpoint_id: str
    account_id: str
    mac_address: str


@dataclass(frozen=True, kw_only=True)
class PlugIdentity:
    """A smart plug's fixed facts."""

    number: int
    name: str
    serial: str
    endpoint_id: str
    appliance_id: str


def echo_name(number: int) -> str:
    """Kitchen Echo, Bedroom Echo Show, … then Echo 11, Echo 12, …."""
    if number >= len(ROOMS):
        return f"Echo {number + 1}"
    kind = "Echo Show" if _echo_model(number) is ECHO_SHOW else "Echo"
    return f"{ROOMS[number]} {kind}"


def plug_name(number: int) -> str:
    """Named after the room of the Echo it feeds: Kitchen Plug, … Plug 11."""
    if number >= len(ROOMS):
        return f"Plug {number + 1}"
    return f"{ROOMS[number]} Plug"


def _echo_model(number: int) -> EchoModel:
    # Every fourth Echo, starting with the bedroom's, is an Echo Show.
    return ECHO_SHOW if number % 4 == 1 else ECHO_DOT


def echo_identity(number: int, name: str | None = None) -> EchoIdentity:
    """The Echo with this number (0 is the first)."""
    rng = _rng("echo", number)
    model = _echo_model(number)
    return EchoIdentity(
        number=number,
        name=name or echo_name(number),
        model=model,
        serial=model.serial_prefix + _chars(rng, 10),
        endpoint_id=_endpoint_id(rng),
        account_id="A" + _chars(rng, 13),
        mac_address=f"{rng.getrandbits(48):012X}",
    )


def plug_identity(number: int, name: str | None = None) -> PlugIdentity:
    """The Amazon Smart Plug with this number (0 is the first)."""
    rng = _rng("plug", number)
    serial = "G0G0" + _chars(rng, 12)
    return PlugIdentity(
        number=number,
        name=name or plug_name(number),
        serial=serial,
        endpoint_id=_endpoint_id(rng),
        appliance_id="AAA_SonarCloudService_" + _chars(rng, 22),
    )


def speaker_group_serial() -> str:
    """The "Everywhere" speaker group's serial number."""
    return "G0911W" + _chars(_rng("group", 0), 10)
