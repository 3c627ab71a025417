"""Small tools every part uses.

Errors, events, storage, time, log hygiene, markdown, listeners by device.
"""
