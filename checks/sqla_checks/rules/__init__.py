"""One module per rule (or small family); `sqla_checks.registry` finds them all."""
