"""Resources models."""
