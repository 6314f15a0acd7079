"""Business operations. Each public method is one unit of work: it validates,
changes the database through repositories and commits explicitly, so the
response is only sent for data that is durably stored."""
