"""Tests of the offline devices' repair issues themselves, via the dashboard.

When an offline issue is raised and how it is dated, ignoring it, the
keeps-dropping issue, issues leaving with their device or entry, the issues
that have no fix flow, and text from outside escaped in issues and flows.
"""

from __future__ import annotations

from datetime import timedelta
import re

from freezegun.api import FrozenDateTimeFactory
from markdown_it import MarkdownIt
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN, STALE_DEVICE_GRACE
from custom_components.alexa_care.repairs import async_create_fix_flow
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import (
    BEDROOM,
    KITCHEN,
    KITCHEN_PLUG,
    call,
    device_id,
    iso,
    next_poll,
    read_network_identities,
    set_up,
)
from .fake_amazon import FakeAmazon
from .repair_issues import (
    Dashboard,
    bedroom_plug_choice,
    come_back,
    go_offline,
    keeps_dropping,
    local,
    offline_issue,
    unavailable,
)
from .resets import link

pytestmark = pytest.mark.usefixtures("repairs")


async def test_issue_after_grace_and_gone_when_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No issue during the grace period; one after it; none once back."""
    issue_id = unavailable(init_integration, KITCHEN)
    await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
    since = dt_util.as_local(dt_util.utcnow() - timedelta(minutes=5))
    await next_poll(hass, freezer, timedelta(minutes=5))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    await next_poll(hass, freezer, timedelta(minutes=10))
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "device": "Kitchen Echo",
        "model": "Echo Dot",
        # Home Assistant's system language is English (US) here.
        "since": since.strftime("%-m/%-d/%Y, %-I:%M %p"),
    }

    await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_a_stamp_before_we_last_saw_it_online_keeps_the_grace(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon's clock an hour behind (never learnt without the push channel).

    Seen online at the last poll, the Echo was not offline an hour before
    it: the grace period counts from that poll, not from Amazon's stamp.
    """
    issue_id = unavailable(init_integration, KITCHEN)
    await next_poll(hass, freezer)
    last_seen_online = dt_util.utcnow()
    fake_amazon.set_online(
        "Kitchen Echo", online=False, at=iso(last_seen_online - timedelta(hours=1))
    )
    await next_poll(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    await next_poll(hass, freezer, timedelta(minutes=15))
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["since"] == local(last_seen_online)


async def test_issue_date_in_the_system_language(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """On a German system the offline issue writes its date the German way."""
    hass.config.language = "de"
    await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
    since = dt_util.as_local(dt_util.utcnow() - timedelta(minutes=5))
    await next_poll(hass, freezer, timedelta(minutes=15))
    issue = issue_registry.async_get_issue(
        DOMAIN, unavailable(init_integration, KITCHEN)
    )
    assert issue is not None
    assert issue.translation_placeholders["since"] == since.strftime("%d.%m.%Y, %H:%M")


async def test_offline_since_long_ago_at_setup(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Amazon's own time of the outage counts: an old outage shows at once."""
    issue = issue_registry.async_get_issue(
        DOMAIN, unavailable(init_integration, BEDROOM)
    )
    assert issue is not None
    assert issue.translation_placeholders["model"] == "Echo Show 8"


async def test_ignore_until_back_online_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ignored: stays dismissed while offline; a later outage is new."""
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "ignore")
    assert flow["reason"] == "ignored"
    await next_poll(hass, freezer, timedelta(hours=2))
    assert issue_registry.async_get_issue(DOMAIN, issue_id).dismissed_version

    await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    await offline_issue(hass, init_integration, fake_amazon, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id).dismissed_version is None


async def test_keeps_dropping(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three short outages in a day raise a second issue; a quiet day ends it."""
    issue_id = keeps_dropping(init_integration, KITCHEN)
    for _ in range(3):
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
        await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue.translation_placeholders == {"device": "Kitchen Echo", "drops": "3"}
    assert (
        issue_registry.async_get_issue(DOMAIN, unavailable(init_integration, KITCHEN))
        is None
    )  # each outage was shorter than the grace period

    flow = await dashboard.start(issue_id)
    assert flow["menu_options"] == ["factory_reset_action_button", "ignore"]
    assert flow["description_placeholders"]["drops"] == "3"

    await next_poll(hass, freezer, timedelta(hours=24))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_issues_leave_with_the_device_and_the_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A device removed from the account, or the entry removed: no issue left."""
    bedroom_issue = unavailable(init_integration, BEDROOM)
    kitchen_issue = await offline_issue(hass, init_integration, fake_amazon, freezer)
    fake_amazon.remove("Bedroom Echo Show")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    assert issue_registry.async_get_issue(DOMAIN, bedroom_issue) is None
    assert issue_registry.async_get_issue(DOMAIN, kitchen_issue) is not None

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.issues == {}


async def test_flow_for_a_device_that_left(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A flow opened after the device left the account says so."""
    issue_id = unavailable(init_integration, BEDROOM)
    fake_amazon.remove("Bedroom Echo Show")
    await next_poll(hass, freezer)
    # The issue goes only when the device is removed; until then it can be opened.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="device_unavailable",
        translation_placeholders={"device": "Bedroom Echo Show"},
        data={
            "kind": "device_unavailable",
            "entry_id": init_integration.entry_id,
            "device_key": BEDROOM,
        },
    )
    flow = await dashboard.start(issue_id)
    assert flow["type"] == "abort"
    assert flow["reason"] == "device_gone"


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"entry_id": "01JALEXACARE0000000000TEST", "device_key": KITCHEN},
        {"kind": "throttled", "entry_id": "01JALEXACARE0000000000TEST"},
        {"kind": "unheard_of", "entry_id": "01JALEXACARE0000000000TEST"},
    ],
    ids=["no data", "no kind", "not fixable", "unknown kind"],
)
async def test_an_issue_without_a_fix_flow_is_refused(
    hass: HomeAssistant, data: dict[str, str] | None
) -> None:
    """The flow is chosen by the kind in the issue's data; no kind, no flow."""
    with pytest.raises(ValueError, match="No fix flow"):
        await async_create_fix_flow(hass, "some_issue", data)


# A name as Amazon may send it (anyone who can rename a device in the Alexa
# app chooses it), and a Wi-Fi network name as a router may have it.
HOSTILE_NAME = "[Kitchen](https://evil.example) <img src=https://evil.example/i.png>"


HOSTILE_SSID = "<a href='https://evil.example'>Carter-Home</a>"


def _inert(text: str) -> bool:
    """Rendered as markdown, the text has no link, image or HTML of its own."""
    rendered = MarkdownIt("commonmark").render(text)
    bare_link = re.search(r"(?<!\\)://", text)
    return "<a" not in rendered and "<img" not in rendered and not bare_link


async def test_text_from_outside_is_escaped_in_issues_and_flows(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Device names and SSIDs reach the texts Home Assistant renders escaped."""
    fake_amazon.endpoint("Kitchen Echo")["friendlyNameObject"]["value"]["text"] = (
        HOSTILE_NAME
    )
    record = next(d for d in fake_amazon.devices if d["serialNumber"] == KITCHEN)
    record["accountName"], record["essid"] = HOSTILE_NAME, HOSTILE_SSID
    assert not _inert(HOSTILE_NAME)
    assert not _inert(HOSTILE_SSID)
    await set_up(hass, mock_config_entry)
    await read_network_identities(hass, freezer)

    issue_id = await offline_issue(
        hass, mock_config_entry, fake_amazon, freezer, HOSTILE_NAME
    )
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert all(map(_inert, issue.translation_placeholders.values()))
    flow = await dashboard.start(issue_id)
    placeholders = flow["description_placeholders"]
    assert _inert(placeholders["device"])
    assert _inert(placeholders["ssid"])
    # A refusal's reason names the device too.
    await call(
        hass, "restart", {"device_id": device_id(hass, mock_config_entry, KITCHEN)}
    )
    flow = await dashboard.choose(flow, "restart")
    assert flow["reason"] == "cooldown"
    assert all(map(_inert, flow["description_placeholders"].values()))


async def test_the_shared_plug_question_escapes_names(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The plug and the Echos it powers are named in markdown: escaped."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    fake_amazon.endpoint("Kitchen Plug")["friendlyNameObject"]["value"]["text"] = (
        HOSTILE_NAME
    )
    fake_amazon.endpoint("Kitchen Echo")["friendlyNameObject"]["value"]["text"] = (
        HOSTILE_SSID
    )
    await next_poll(hass, freezer)
    flow = await bedroom_plug_choice(dashboard, init_integration)
    flow = await dashboard.send(flow["flow_id"], {"plug": KITCHEN_PLUG})
    assert flow["step_id"] == "shared_plug"
    placeholders = flow["description_placeholders"]
    assert _inert(placeholders["plug"])
    assert _inert(placeholders["echos"])
