"""Ways into the teams service: the HTTP app and the outbox relay."""
