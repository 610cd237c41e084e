"""Matching decided without I/O: criteria, reasons, ranking, pairing, grouping."""
