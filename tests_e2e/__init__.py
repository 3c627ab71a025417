"""End-to-end test: a real browser, a real Home Assistant, the Amazon emulator."""
