"""Pieces shared by every domain: service errors, audit trail, time helpers, pagination."""
