"""Every write of the points app: ``ledger`` (postings, awards, adjustments, expiry, the
nightly audit) and ``shop`` (items and redemptions)."""
