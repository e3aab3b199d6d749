"""Rows of the permission table, one module per domain (each defines ROWS).

tests/test_permissions.py merges every module here; a route without a row fails the suite.
"""
