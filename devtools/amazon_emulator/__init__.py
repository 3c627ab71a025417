"""A local Amazon for development and end-to-end tests.

It speaks the parts of Amazon's unofficial web API that aioamazondevices and
Alexa Care's amazon package use, on the same host names and paths, with the same
payload shapes and status codes: the interactive sign-in with its one-time
code, token refresh, devices-v2, GraphQL, reboot, do not disturb,
deregistration, appliance deletion, text commands and the voice history, and
the HTTP/2 push channel that announces changes as they happen. It keeps an
account's state (a rebooting Echo is offline for a while, a plug switched
off takes its Echo with it) and a control API lets tests and developers
change it or make Amazon fail.

Start it with `python -m devtools.amazon_emulator --help`; drive it with
`python -m devtools.amazon_emulator.control --help`. This package's
`__init__` imports nothing, so that the control CLI runs on any Python.
"""
