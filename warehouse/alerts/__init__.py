"""Alerts to the seller's Telegram chat: critical stock, failing cabinets, printers down,
pickups at risk — one message per crossing."""
