"""The voice history: reading it, the actions, and deletion by voice."""
