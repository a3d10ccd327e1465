"""Local imitations of the marketplaces' seller APIs, for tests and the demo.

Each sandbox behaves like an outside system: its state lives in its own database
(``SANDBOX_DATABASE_URL``) and shares nothing with the warehouse schema. It is mounted
only when ``SANDBOX_ENABLED`` is on.
"""
