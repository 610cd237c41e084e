"""How each event changes each read model's documents: pure functions, no I/O."""
