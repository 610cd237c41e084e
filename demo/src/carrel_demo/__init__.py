"""Carrel at work on real data: a supervisor for every service, and the loader."""
