"""What the code says: imports, assignments, call arguments, sessions and engines,
declarative models, legacy `Query` chains, the per-file context rules read them
through, and the catalogue of SQLAlchemy API facts (`sqlalchemy_api`)."""
