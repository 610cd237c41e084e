"""The profile's domain: the aggregate, its sections and the rules they obey."""
