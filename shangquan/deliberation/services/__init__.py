"""Every write of the deliberation app, by topic (one module each)."""
