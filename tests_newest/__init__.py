"""The newest Home Assistant release as a real process, driven through its API."""
