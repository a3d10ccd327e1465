"""What every list of the API shares: the cursor and the page size in, ``next`` and
``has_more`` out (rows by id after the cursor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Row = TypeVar("Row")

MAX_ID = 2**31 - 1  # ids are INTEGER columns
# a code or name with no blank at either end (ours are stored stripped: one would not match)
NAME = r"^\S(.*\S)?$"
CURSOR = Field(
    default=0,
    ge=0,
    le=MAX_ID,
    description="read after this cursor: the `next` of the page before (0: from the start)",
)
LIMIT = Field(default=100, ge=1, le=500, description="rows per page")


class Body(BaseModel):
    """A request body: a field we do not know is refused, not silently dropped (a typo in
    an integration would otherwise lose data without a word)."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(BaseModel):
    after: int = CURSOR
    limit: int = LIMIT


def page_of(
    found: list[Row], query: Any, id_of: Callable[[Row], int]
) -> tuple[list[Row], int, bool]:
    """A page of rows read with ``limit + 1`` by id (``query`` has ``after`` and
    ``limit``): the rows, the next cursor, whether more are there. For lists of what is
    there now (products, bins, stock rows, hand-overs), read whole each time: a row
    committed late with a smaller id can land behind a reader's cursor. Change feeds
    (orders, their changes, movements, deliveries) read under ``infra.feeds.horizon``."""
    more = len(found) > query.limit
    items = found[: query.limit]
    last = id_of(items[-1]) if items else query.after
    return items, last, more
