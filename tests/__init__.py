"""Tests of Alexa Care."""
