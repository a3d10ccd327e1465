"""Prices on the marketplaces' cards: price lists, the documents that change them (held by
the guards until a supervisor confirms), their schedules, the rules and files that make
them, and the push of prices to each marketplace through the outbox."""
