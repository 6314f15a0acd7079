"""Benchmarks of database code on a real PostgreSQL: one script per question.

Each runs with `python -m benchmarks.db.<name>` (add `--quick` for a smoke test)
against `DATABASE_URL` when it is set, else an embedded server, in a database of
its own that it drops at the end. See benchmarks/README.md.
"""
