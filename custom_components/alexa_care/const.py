"""Constants for Alexa Care."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "alexa_care"
LOGGER = logging.getLogger(__package__)

CONF_LOGIN_DATA: Final = "login_data"

# Home Assistant core's alexa_devices polls Amazon every 5 minutes too.
DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=300)
