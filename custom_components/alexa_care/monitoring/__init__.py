"""Which devices are offline, and whether the household is.

Their repair issues, household outages and health counts.
"""
