"""Offers, pairing requests, placements, applications, pairings and practice stints."""
