"""The engine: discover files, read configuration, select rules, run them, cache results."""
