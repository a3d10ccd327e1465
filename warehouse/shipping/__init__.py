"""The end of the day: parcels handed over to each marketplace with its papers.

``handovers`` keeps the pickups (which orders go, the loader's scans, closing with a
decision about what is missing); ``closing`` tells the marketplace through the outbox,
with one ``close_<marketplace>`` module per marketplace; ``documents`` keeps the papers
they answer with; ``history`` is what happened to a pickup, who and when.
"""
