"""Tests of carrel-ops.

They form a package because pytest, importing by path, would otherwise name
them ``operator.tests.*`` and replace the standard library's ``operator``.
"""
