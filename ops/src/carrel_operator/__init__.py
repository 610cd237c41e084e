"""carrel-ops: the operator's tool for keeping the read side right."""
