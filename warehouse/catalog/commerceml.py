"""A 1C catalogue exported as CommerceML 2 (``import.xml``, optionally with ``offers.xml``,
both in one .zip) read as the product rows the catalogue importer takes.

From ``import.xml`` each ``Товар``: ``Артикул`` (our key), ``Наименование``, ``Штрихкод``
and the ``Вес`` requisite (kilograms → grams). From ``offers.xml``: the offers' barcodes
(a characteristic's offer ``<товар>#<характеристика>`` adds to its product) and the price of
a price type named «Закупочная» / «Себестоимость» as the cost price. Row numbers are the
``Товар``'s position in the file. Pure: no database.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from warehouse.errors import DomainError

HEADER = ["article", "name", "barcodes", "weight_g"]
COST_PRICE_TYPES = ("закуп", "себестоим")
MAX_UNPACKED = 100 * 1024 * 1024


def read(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The product rows in an ``import.xml`` or a .zip holding ``import*.xml`` and
    ``offers*.xml``."""
    if filename.lower().endswith(".zip"):
        catalogue, offers = _unzip(data)
    else:
        catalogue, offers = data, None
    products = _products(_root(catalogue, "import.xml"))
    header = list(HEADER)
    if offers is not None and _offers(_root(offers, "offers.xml"), products):
        header.append("cost_price")
    rows = [(position, cells) for position, (_, cells) in enumerate(products.items(), start=1)]
    return header, rows


def _unzip(data: bytes) -> tuple[bytes, bytes | None]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise DomainError("commerceml_no_import") from error
    found: dict[str, bytes] = {}
    with archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1].lower()
            for kind in ("import", "offers"):
                if name.startswith(kind) and name.endswith(".xml") and kind not in found:
                    if info.file_size > MAX_UNPACKED:
                        raise DomainError("catalogue_too_big", megabytes=MAX_UNPACKED >> 20)
                    found[kind] = archive.read(info)
    if "import" not in found:
        raise DomainError("commerceml_no_import")
    return found["import"], found.get("offers")


def _root(data: bytes, name: str) -> ElementTree.Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise DomainError("commerceml_bad_xml", file=name, why="DOCTYPE")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise DomainError("commerceml_bad_xml", file=name, why=str(error)) from error
    for element in root.iter():  # urn:1C.ru:commerceml_2 or none: read by local names
        element.tag = element.tag.rsplit("}", 1)[-1]
    if root.tag != "КоммерческаяИнформация":
        raise DomainError("commerceml_bad_xml", file=name, why=root.tag)
    return root


def _text(element: ElementTree.Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _products(root: ElementTree.Element) -> dict[str, dict[str, str]]:
    products: dict[str, dict[str, str]] = {}
    for item in root.iterfind("./Каталог/Товары/Товар"):
        codes = [c.text.strip() for c in item.findall("Штрихкод") if c.text and c.text.strip()]
        cells = {
            "article": _text(item, "Артикул"),
            "name": _text(item, "Наименование"),
            "barcodes": ";".join(codes),
            "weight_g": _grams(item),
        }
        products[_text(item, "Ид") or f"#{len(products)}"] = cells
    if not products:
        raise DomainError("commerceml_no_products")
    return products


def _grams(item: ElementTree.Element) -> str:
    for requisite in item.iterfind("./ЗначенияРеквизитов/ЗначениеРеквизита"):
        if _text(requisite, "Наименование").lower() == "вес":
            try:
                return str(int(Decimal(_text(requisite, "Значение").replace(",", ".")) * 1000))
            except (InvalidOperation, ValueError):
                return _text(requisite, "Значение")  # the importer names the bad number
    return ""


def _offers(root: ElementTree.Element, products: dict[str, dict[str, str]]) -> bool:
    """Barcodes and the cost price from the offers; whether any price was a cost price."""
    cost_types = {
        _text(kind, "Ид")
        for kind in root.iterfind(".//ТипыЦен/ТипЦены")
        if any(word in _text(kind, "Наименование").lower() for word in COST_PRICE_TYPES)
    }
    priced = False
    for offer in root.iterfind(".//Предложения/Предложение"):
        cells = products.get(_text(offer, "Ид").split("#", 1)[0])
        if cells is None:
            continue
        codes = [c for c in cells["barcodes"].split(";") if c]
        for code in offer.findall("Штрихкод"):
            if code.text and code.text.strip() not in codes:
                codes.append(code.text.strip())
        cells["barcodes"] = ";".join(codes)
        for price in offer.iterfind("./Цены/Цена"):
            if _text(price, "ИдТипаЦены") in cost_types:
                cells["cost_price"] = _text(price, "ЦенаЗаЕдиницу")
                priced = True
    return priced  # a product without a cost price offer keeps the price it has
