"""Outside systems plugged into the warehouse: service accounts and their tokens."""
