"""The in-app inbox (with optional email) for every change that concerns a user."""
