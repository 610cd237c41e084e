"""How the profile service is reached: its HTTP API and its outbox relay."""
