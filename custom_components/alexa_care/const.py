"""Constants for Alexa Care."""

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "alexa_care"
LOGGER = logging.getLogger(__package__)

CONF_LOGIN_DATA: Final = "login_data"

# Home Assistant core's alexa_devices polls Amazon every 5 minutes too.
DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=300)
MIN_SCAN_INTERVAL: Final = timedelta(seconds=60)
# While Amazon's push channel is open, a poll only reconciles what it may
# have missed (names, firmware, devices added or removed).
PUSH_RECONCILE_INTERVAL: Final = timedelta(minutes=30)
# While polls rest, how often a device offline is judged against its grace period.
OFFLINE_RECHECK: Final = timedelta(minutes=1)
# A poll refused by the closed throttle gate is tried again no sooner than this.
THROTTLED_POLL_MIN: Final = timedelta(seconds=30)
# Amazon's lists flicker: a device must be missing this long to be removed.
STALE_DEVICE_GRACE: Final = timedelta(hours=1)

CONF_COOLDOWN: Final = "cooldown"
# A looping automation must not reboot or power-cycle a device again and again.
DEFAULT_COOLDOWN: Final = timedelta(minutes=10)

# Amazon's advice: unplug for about 20 seconds.
DEFAULT_OFF_SECONDS: Final = 20
MIN_OFF_SECONDS: Final = 5
MAX_OFF_SECONDS: Final = 300
# After power returns, how long and how often we look for the Echo online.
BACK_ONLINE_TIMEOUT: Final = timedelta(minutes=4)
BACK_ONLINE_CHECK: Final = timedelta(seconds=30)
PLUG_RETRY_DELAY: Final = timedelta(seconds=5)
# Amazon may take a moment to drop a deregistered device from its lists.
DEREGISTER_CHECKS: Final = (timedelta(0), timedelta(seconds=5), timedelta(seconds=15))
# Tries to switch a plug back on before we report it left off.
POWER_ON_ATTEMPTS: Final = 3

EVENT_ACTION: Final = "alexa_care_action"
# A field of the actions (device_id and config_entry_id are Home Assistant's).
ATTR_CONFIRM: Final = "confirm"

CONF_GRACE: Final = "grace"
# Amazon's online state flickers: a device must stay offline this long
# before a repair issue suggests a reset.
DEFAULT_GRACE: Final = timedelta(minutes=15)
# Three outages within a day, even short ones, mean something is wrong.
DROPS_FOR_ISSUE: Final = 3
DROPS_WINDOW: Final = timedelta(hours=24)

# When most devices drop together the home's internet or Amazon is down, not
# the devices: one issue for all of them, and no reset suggested.
OUTAGE_MIN_DEVICES: Final = 3
# Amazon's last-seen times of devices that dropped "at once" lie this close.
OUTAGE_SAME_MINUTE: Final = timedelta(minutes=1)

# The voice history page is throttled: the sensors read it this often, and
# the actions reuse a read younger than VOICE_HISTORY_MAX_AGE.
VOICE_HISTORY_INTERVAL: Final = timedelta(minutes=15)
VOICE_HISTORY_MAX_AGE: Final = timedelta(minutes=1)
# What Amazon's own history page shows by default.
HISTORY_WINDOW: Final = timedelta(days=7)
# After a deletion request, when we read the history again to see its effect.
VOICE_DELETION_CHECKS: Final = (
    timedelta(seconds=5),
    timedelta(seconds=10),
    timedelta(seconds=20),
)


class DeletionScope(StrEnum):
    """What a voice-history deletion asks Amazon to delete: the action's scope."""

    LAST = "last"
    TODAY = "today"
    ALL = "all"
