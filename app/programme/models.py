"""Programme models."""
