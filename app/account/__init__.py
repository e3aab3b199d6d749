"""A person's own account: privacy notice and consent, personal data download, closure."""
