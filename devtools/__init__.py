"""Development tooling for Alexa Care; never shipped with the integration."""
