"""Matching service: ranked mentor candidates, pairings and groups."""
