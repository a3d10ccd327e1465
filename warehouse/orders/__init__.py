"""Marketplace orders: import, acceptance, unified statuses, cancellation."""
