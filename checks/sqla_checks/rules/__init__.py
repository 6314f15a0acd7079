"""One module per rule (or small family); `sqla_checks.engine.registry` finds them all."""
