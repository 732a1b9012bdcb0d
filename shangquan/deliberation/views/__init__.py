"""Deliberation pages: ``console`` (staff) and ``public`` (residents and merchants, phones)."""
