"""Profile service: who people are, what they know and what they want to grow."""
