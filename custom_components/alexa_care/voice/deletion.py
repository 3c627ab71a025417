"""Deleting voice history the only way Amazon allows: by asking an Echo.

Amazon has no working API to delete voice recordings. What works is what
Amazon documents for people: saying "delete what I just said", "delete
everything I said today" or "delete everything I said" to an Echo, once
"Enable deletion by voice" is on in the Alexa Privacy settings. We send that
sentence as a text command, then read the history again and count what is
gone, so the result says what Amazon really deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..amazon.models import AlexaCareError, Echo, VoiceRecord
from ..const import VOICE_DELETION_CHECKS, DeletionScope
from ..data import AlexaCareConfigEntry
from ..monitoring.issues import IssueKind, IssueRef, async_raise, async_withdraw
from ..util.clock import async_wait
from ..util.errors import device_failure, failed
from ..util.markdown import escape_markdown
from ..util.record import Record

# Amazon's documented sentences, in the marketplaces' languages: the text
# command is read in the account's language. Other marketplaces get English.
UTTERANCES: dict[str, dict[DeletionScope, str]] = {
    "en": {
        DeletionScope.LAST: "delete what I just said",
        DeletionScope.TODAY: "delete everything I said today",
        DeletionScope.ALL: "delete everything I said",
    },
    "de": {
        DeletionScope.LAST: "lösche, was ich gerade gesagt habe",
        DeletionScope.TODAY: "lösche alles, was ich heute gesagt habe",
        DeletionScope.ALL: "lösche alles, was ich gesagt habe",
    },
    "fr": {
        DeletionScope.LAST: "supprime ce que je viens de dire",
        DeletionScope.TODAY: "supprime tout ce que j'ai dit aujourd'hui",
        DeletionScope.ALL: "supprime tout ce que j'ai dit",
    },
    "es": {
        DeletionScope.LAST: "borra lo que acabo de decir",
        DeletionScope.TODAY: "borra todo lo que he dicho hoy",
        DeletionScope.ALL: "borra todo lo que he dicho",
    },
}
LANGUAGE_OF_DOMAIN = {"de": "de", "fr": "fr", "es": "es", "com.mx": "es"}


class VoiceDeletion(Record):
    """How many records in scope there were before, and how many remain."""

    scope: DeletionScope
    before: int
    after: int

    @property
    def deleted(self) -> int:
        """How many records Amazon deleted."""
        return self.before - self.after


def privacy_settings_url(entry: AlexaCareConfigEntry) -> str:
    """Amazon's Alexa Privacy settings page for the account's marketplace."""
    domain = entry.runtime_data.coordinator.account.domain
    return f"https://www.amazon.{domain}/alexaprivacysettings"


def records_in_scope(
    records: Sequence[VoiceRecord], scope: DeletionScope, echo: Echo
) -> list[VoiceRecord]:
    """The records a deletion of `scope` asked to `echo` should delete.

    "What I just said" is the last thing the Echo heard; "today" starts at
    midnight in Home Assistant's time zone; "everything" is all we can read.
    """
    if scope is DeletionScope.LAST:
        own = [record for record in records if record.serial_number == echo.key]
        return own[:1]
    if scope is DeletionScope.TODAY:
        midnight = dt_util.start_of_local_day()
        return [record for record in records if record.time >= midnight]
    return list(records)


async def async_delete_voice_history(
    hass: HomeAssistant, entry: AlexaCareConfigEntry, echo: Echo, scope: DeletionScope
) -> VoiceDeletion:
    """Ask `echo` to delete, then count what Amazon deleted.

    Raises a translated HomeAssistantError when nothing was deleted, and
    leaves a repair issue that tells how to enable deletion by voice.
    """
    async with entry.runtime_data.voice_history.deletion_lock:
        return await _async_delete(hass, entry, echo, scope)


async def _async_delete(
    hass: HomeAssistant, entry: AlexaCareConfigEntry, echo: Echo, scope: DeletionScope
) -> VoiceDeletion:
    history = entry.runtime_data.voice_history
    account = entry.runtime_data.coordinator.account
    # Read now: the entry may unload during the checks, and its runtime data
    # goes with it.
    settings_url = privacy_settings_url(entry)
    in_scope = records_in_scope((await history.async_read()).records, scope, echo)
    if not in_scope:
        return VoiceDeletion(scope=scope, before=0, after=0)
    language = LANGUAGE_OF_DOMAIN.get(account.domain, "en")
    try:
        await account.async_send_text_command(echo, UTTERANCES[language][scope])
    except AlexaCareError as err:
        raise device_failure(
            hass, entry, err, "voice_command_failed", device=echo.name
        ) from err
    remaining = in_scope
    # Amazon deletes in the background: look again until all is gone, or
    # until the last check.
    for delay in VOICE_DELETION_CHECKS:
        await async_wait(hass, delay)
        try:
            now_listed = set((await history.async_read()).records)
        except HomeAssistantError as err:
            # The sentence was spoken: a retry of scope "last" would delete
            # another record, so the error must not read as "nothing done".
            raise failed(
                "voice_deletion_unverified",
                device=echo.name,
                scope=scope.value,
                error=str(err),
            ) from err
        remaining = [record for record in in_scope if record in now_listed]
        if not remaining:
            break
    result = VoiceDeletion(scope=scope, before=len(in_scope), after=len(remaining))
    issue = IssueRef(kind=IssueKind.VOICE_DELETION_DISABLED, entry_id=entry.entry_id)
    if result.deleted:
        async_withdraw(hass, issue)
        return result
    placeholders = {
        "device": echo.name,
        "before": str(result.before),
        "scope": scope.value,
        "url": settings_url,
    }
    async_raise(
        hass,
        issue,
        learn_more_url=placeholders["url"],
        placeholders={**placeholders, "device": escape_markdown(echo.name)},
    )
    # An error message is shown as it is, not rendered: the name unescaped.
    raise failed(issue.kind, **placeholders)
