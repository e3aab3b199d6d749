"""Accounts, roles, login, API tokens and permission decorators."""
