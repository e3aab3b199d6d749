"""Tests of the privacy notice, consent, personal data download and account closure."""
