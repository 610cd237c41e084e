"""What the profile service reads from outside: the IMLS library directory."""
