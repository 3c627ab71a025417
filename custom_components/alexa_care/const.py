"""Constants for Alexa Care."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "alexa_care"
LOGGER = logging.getLogger(__package__)

CONF_LOGIN_DATA: Final = "login_data"

# Home Assistant core's alexa_devices polls Amazon every 5 minutes too.
DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=300)
MIN_SCAN_INTERVAL: Final = timedelta(seconds=60)
# Throttled by Amazon, we double the interval up to this.
MAX_BACKOFF_INTERVAL: Final = timedelta(hours=1)
# The Echo list (capabilities included) changes rarely; a device Amazon shows
# that we do not know triggers a read at once anyway.
DEVICE_LIST_REFRESH: Final = timedelta(hours=1)
# Amazon's lists flicker: a device must be missing this long to be removed.
STALE_DEVICE_GRACE: Final = timedelta(hours=1)

ISSUE_THROTTLED: Final = "throttled"
