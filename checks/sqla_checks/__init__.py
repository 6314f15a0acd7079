"""sqla-checks: a libcst lint pack for SQLAlchemy 2.x async code."""

__version__ = "0.1.0"
