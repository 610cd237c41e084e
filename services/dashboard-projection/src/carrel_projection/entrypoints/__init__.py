"""How the projection is started: the consumer, the read API, the docs."""
