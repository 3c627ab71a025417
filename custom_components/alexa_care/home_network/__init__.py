"""What the home network says of an Echo.

Its Wi-Fi identity, and whether the router's trackers see it.
"""
