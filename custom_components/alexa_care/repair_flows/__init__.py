"""The fix flows of the devices' repair issues.

repairs.py picks one by the issue's kind.
"""
