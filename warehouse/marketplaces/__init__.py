"""Connectors to the marketplaces' seller APIs and the sandboxes that imitate them."""
