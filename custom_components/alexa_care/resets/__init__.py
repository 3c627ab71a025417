"""Restart, power cycle and deregister.

The procedures, what they must not forget, and which plug powers which Echo.
"""
