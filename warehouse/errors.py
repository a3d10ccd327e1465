"""Domain exceptions: each carries a code the web layer turns into words for a person."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request; ``code`` and ``params`` describe why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params


class NotFound(DomainError):
    """The thing asked for does not exist (or is not this user's to see)."""
