"""The teams domain: aggregates and the rules they keep, with no I/O."""
