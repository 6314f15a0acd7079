"""One module per rule (or small family); `checks.registry` finds them all."""
