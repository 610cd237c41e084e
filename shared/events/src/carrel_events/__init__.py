"""Event contracts, the outbox relay and the consumer runtime shared by every Carrel service."""
