"""Gateway: the one door for web clients, and the web pages."""
