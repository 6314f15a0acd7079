"""Tests of the blog example; they need a real PostgreSQL (see postgres_server.py)."""
