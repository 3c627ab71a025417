"""Custom integrations (this folder is what Home Assistant mounts)."""
