"""How the account's updates arrive besides the polls.

The push channel, its watch, and the device registry kept in step.
"""
