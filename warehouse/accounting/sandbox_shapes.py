"""JSON shapes every answer of the МойСклад sandbox shares (_general.md of the reference).

Meta objects (``href``, ``metadataHref``, ``type``, ``mediaType``), collection meta
(``size``, ``limit``, ``offset``, ``nextHref`` / ``previousHref`` when there are more),
errors (``{"errors": [{"error", "code", "moreInfo", "parameter"?}]}``), the ``filter``
parameter (conditions split by an unescaped ``;``, ``\\;`` stands for ``;``, several ``=``
on one field mean OR) and paging (``limit`` 1..1000, ``offset`` ≥ 0).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

API = "/api/remap/1.2"
DOC = "https://dev.moysklad.ru/doc/api/remap/1.2/#error_"
ACCOUNT_ID = "103bff1b-36e7-11e7-8a7f-40d000000004"
OPERATORS = ("!=", ">=", "<=", "~=", "=~", "=", ">", "<", "~")


class ApiError(Exception):
    """A refusal as МойСклад answers it: an HTTP status and one documented error."""

    def __init__(self, status: int, code: int, message: str, parameter: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter

    def response(self) -> Response:
        return errors(self.status, self.code, self.message, self.parameter)


def errors(status: int, code: int | None, message: str, parameter: str = "") -> Response:
    error: dict[str, Any] = {"error": message}
    if parameter:
        error["parameter"] = parameter
    if code is not None:
        error.update(code=code, moreInfo=f"{DOC}{code}")
    response = jsonify({"errors": [error]})
    response.status_code = status
    return response


def root() -> str:
    """The API's own address as the caller reached it (``…/sandbox/moysklad/api/remap/1.2``)."""
    return f"{request.url_root.rstrip('/')}{request.path.split(API, 1)[0]}{API}"


def meta(path: str, kind: str) -> dict[str, Any]:
    """An entity's meta; ``path`` is relative to the API root (``entity/store/<id>``)."""
    entity = path.split("/")[1] if path.startswith("entity/") else kind
    return {
        "href": f"{root()}/{path}",
        "metadataHref": f"{root()}/entity/{entity}/metadata",
        "type": kind,
        "mediaType": "application/json",
    }


def collection(path: str, kind: str, size: int, limit: int, offset: int) -> dict[str, Any]:
    """A list answer without its rows: ``context`` and the collection's ``meta``."""
    found: dict[str, Any] = {
        "href": f"{root()}/{path}",
        "type": kind,
        "mediaType": "application/json",
        "size": size,
        "limit": limit,
        "offset": offset,
    }
    if offset + limit < size:
        found["nextHref"] = (
            f"{root()}/{path}?{urlencode({'limit': limit, 'offset': offset + limit})}"
        )
    if offset > 0:
        back = max(0, offset - limit)
        found["previousHref"] = f"{root()}/{path}?{urlencode({'limit': limit, 'offset': back})}"
    employee = {
        "href": f"{root()}/context/employee",
        "type": "employee",
        "mediaType": "application/json",
    }
    return {"context": {"employee": {"meta": employee}}, "meta": found}


def nested(path: str, kind: str, size: int) -> dict[str, Any]:
    """A MetaArray field not expanded (a document's ``positions``)."""
    return {
        "meta": {
            "href": f"{root()}/{path}",
            "type": kind,
            "mediaType": "application/json",
            "size": size,
            "limit": 1000,
            "offset": 0,
        }
    }


def paging() -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit", 1000))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ApiError(
            412, 1014, "Неверное значение параметра запроса 'limit' или 'offset'"
        ) from None
    if not 1 <= limit <= 1000 or offset < 0:
        raise ApiError(412, 1014, "Параметр 'limit' должен быть от 1 до 1000")
    return limit, offset


def filters(allowed: tuple[str, ...]) -> dict[str, list[str]]:
    """``filter``'s equality conditions, field → values (OR); other operators and fields
    this sandbox does not know are refused as МойСклад refuses a bad filter (1034)."""
    raw = request.args.get("filter", "")
    found: dict[str, list[str]] = {}
    for condition in _conditions(raw):
        operator = next((op for op in OPERATORS if op in condition), None)
        if operator is None:
            raise ApiError(412, 1034, f"Ошибка фильтрации: неверное условие '{condition}'")
        field, value = condition.split(operator, 1)
        if operator != "=" or field not in allowed:
            raise ApiError(
                412, 1034, f"Ошибка фильтрации: фильтр '{field}{operator}' не поддерживается"
            )
        found.setdefault(field, []).append(value.replace("\\;", ";"))
    return found


def _conditions(raw: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in raw:
        if char == ";" and not escaped:
            parts.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    parts.append(current)
    return [part for part in parts if part]


def currency() -> dict[str, Any]:
    return {"meta": meta("entity/currency/10772c12-36e7-11e7-8a7f-40d000000097", "currency")}


def assortment_json(row: Any) -> dict[str, Any]:
    """An item as «Получить Ассортимент» shows it (and as an expanded ``assortment``)."""
    found: dict[str, Any] = {
        "meta": meta(f"entity/{row.type}/{row.id}", row.type),
        "id": row.id,
        "accountId": ACCOUNT_ID,
        "shared": True,
        "updated": row.updated,
        "name": row.name,
        "code": row.code,
        "externalCode": row.external_code,
        "archived": bool(row.archived),
        "pathName": "",
        "vat": 20,
        "vatEnabled": True,
        "effectiveVat": 20,
        "effectiveVatEnabled": True,
        "buyPrice": {"value": float(row.buy_price), "currency": currency()},
        "barcodes": list(row.barcodes),
    }
    if row.type in ("product", "variant") and row.article is not None:
        found.update(article=row.article, weight=0, volume=0, variantsCount=0)
    return found
