"""Data access: every query the app runs lives here, written with `select()`.

Repositories flush but never commit; the service that owns the unit of work decides
when the transaction ends.
"""
