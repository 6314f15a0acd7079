"""On-demand performance benchmarks of `sqla-checks` (never part of the test suite).

Run `python -m benchmarks.run --help`; see benchmarks/README.md for what each number
means and the figures measured on the reference machine.
"""
