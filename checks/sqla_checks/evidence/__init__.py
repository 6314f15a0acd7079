"""What the code says: imports, assignments, call arguments, sessions and engines,
declarative models, and the per-file context rules read them through."""
