"""A small blog API: the reference project of sqla-skillpack."""
