"""The Yandex Market sandbox's report files, in the three formats ``ReportFormatType`` offers.

``JSON``: a ZIP with ``<sheet>.json`` per sheet, ``{"rows": [...]}`` of objects keyed by
the reference's «JSON column names» (the wrapper is not in the reference: third-party code
reads ``rows``). ``CSV``: a ZIP with ``<sheet>.csv``, a header of the «CSV column names»
(``ORDER_ID``…), comma separated, UTF-8. ``FILE``: an XLSX, a worksheet per sheet titled
as the reference names it, a header row of the «XLSX column names» (``Заказы/Номер
заказа``…; how YM lays the two-level header out is not published: here one row of the full
names). Column names from yandex.ru/dev/market/partner-api/doc/ru/reference/reports/
generateGoodsRealizationReport and …/generateUnitedMarketplaceServicesReport; only the
columns the sandbox fills are listed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

ORDERS = "Заказы/"
BUSINESS = "Информация о бизнесе/"
ORDER = "Информация о заказе и товаре/"
SERVICE = "Информация об услуге/"

_GOODS_HEAD = [
    ("orderId", ORDERS + "Номер заказа"),
    ("yourOrderId", ORDERS + "Ваш номер заказа"),
    ("orderType", ORDERS + "Тип заказа"),
    ("offerName", ORDERS + "Название товара"),
    ("yourSku", ORDERS + "Ваш SKU"),
    ("shopSku", ORDERS + "SKU"),  # the reference prints an unfilled template here
]
_PRICES = [
    ("paymentType", ORDERS + "Способ оплаты"),
    ("vat", ORDERS + "Ставка НДС"),
    ("priceWithVatAndNoDiscount", ORDERS + "Цена c НДС без учёта скидок за шт."),
    ("shopMarketplaceDiscount", ORDERS + "Ваша скидка по акции маркетплейса на 1 шт."),
    ("spasiboDiscount", ORDERS + "Ваша скидка по бонусам СберСпасибо (за шт.) на 1 шт."),
    ("yandexPlusDiscount", ORDERS + "Ваша скидка по баллам Яндекс.Плюса на 1 шт."),
    ("priceWithVatAndAllDiscounts", ORDERS + "Цена с НДС с учётом всех скидок за шт."),
]
_DATES = [
    ("orderCreationDate", ORDERS + "Дата оформления заказа"),
    ("transferredToDeliveryDate", ORDERS + "Дата передачи товара в доставку"),
    ("deliveryDate", ORDERS + "Дата доставки товара"),
]
_HANDED = ("transferredToDeliveryCount", ORDERS + "Количество переданных в доставку, шт.")
_BUSINESS = [
    ("businessId", BUSINESS + "ID бизнес-аккаунта"),
    ("placementModel", BUSINESS + "Модели работы"),
    ("partnerId", BUSINESS + "ID магазинов"),
    ("partnerName", BUSINESS + "Названия магазинов"),
    ("inn", BUSINESS + "ИНН"),
    ("placementContract", BUSINESS + "Номера договоров на размещение"),
    ("promotionContract", BUSINESS + "Номера договоров на продвижение"),
]


def _sums(head: str, what: str) -> list[tuple[str, str]]:
    return [
        (
            f"{head}PriceSumWithVatAndNoDiscounts",
            f"{ORDERS}Стоимость всех {what} с НДС без учёта скидок",
        ),
        (f"{head}DiscountSum", f"{ORDERS}Сумма всех скидок для {what}"),
        (
            f"{head}PriceSumWithVatAndDiscounts",
            f"{ORDERS}Стоимость всех {what} с НДС с учётом всех скидок",
        ),
    ]


def _of_order(group: str, name: str) -> list[tuple[str, str]]:
    return [
        ("orderId", group + "Номер заказа или отгрузки"),
        ("orderCreationDateTime", group + "Дата создания заказа"),
        ("shopSku", group + "Ваш SKU"),
        ("offerName", group + name),
    ]


# sheet → (worksheet title, [(JSON column, XLSX column)])
SHEETS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "transferred_to_delivery": (
        "Товары, переданные в доставку",
        [
            *_GOODS_HEAD,
            _HANDED,
            *_DATES,
            *_PRICES,
            *_sums("transferredToDelivery", "переданных в доставку штук"),
        ],
    ),
    "delivered": (
        "Доставленные товары",
        [
            *_GOODS_HEAD,
            _HANDED,
            ("deliveredCount", ORDERS + "Доставлено, шт."),
            *_DATES,
            *_PRICES,
            *_sums("delivered", "доставленных штук"),
        ],
    ),
    "returned": (
        "Возвращенные товары",
        [
            *_GOODS_HEAD,
            ("deliveredCount", ORDERS + "Количество доставленных, шт."),
            ("returnedCount", ORDERS + "Возвращено, шт."),
            *_DATES,
            (
                "returnWarehouseOrScAcceptDate",
                ORDERS + "Дата приёма возврата складом или сортировочным центром",
            ),
            *_PRICES,
            *_sums("return", "возвращённых штук"),
        ],
    ),
    "placement": (
        "Размещение товаров и услуг",
        [
            *_BUSINESS,
            *_of_order(ORDER, "Название товара или услуги"),
            ("price", ORDER + "Ваша цена за товар или услугу"),
            ("count", ORDER + "Количество, шт."),
            ("paymentType", ORDER + "Способ приёма оплаты"),
            ("serviceName", SERVICE + "Услуга"),
            ("unit", SERVICE + "Единица измерения"),
            ("serviceDateTime", SERVICE + "Дата и время оказания услуги"),
            ("actDate", SERVICE + "Дата формирования акта"),
            ("amountWithoutBonuses", SERVICE + "Стоимость услуги без скидок и наценок"),
            ("totalAmount", "Стоимость услуги"),
        ],
    ),
    "delivery": (
        "Доставка покупателю",
        [
            *_BUSINESS,
            *_of_order(ORDER, "Название товара или тип грузоместа"),
            ("price", ORDER + "Ваша цена за шт."),
            ("count", ORDER + "Количество, шт."),
            ("serviceName", SERVICE + "Услуга"),
            ("deliveryType", SERVICE + "Способ доставки"),
            ("unit", SERVICE + "Единица измерения"),
            ("serviceDateTime", SERVICE + "Дата и время оказания услуги"),
            ("actDate", SERVICE + "Дата формирования акта"),
            ("servicePrice", SERVICE + "Стоимость услуги"),
        ],
    ),
    "payment_transfer": (
        "Перевод платежа",
        [
            *_BUSINESS,
            *_of_order(SERVICE, "Название товара или услуги"),
            ("merchantPrice", SERVICE + "Ваша цена"),
            ("buyerPaid", SERVICE + "Покупатель заплатил"),
            (
                "tariffForTransfer",
                SERVICE + "Тариф, до 28.02.26 — % от платежа покупателя, "
                "с 1.03.2026 — % от цены товара или услуги",
            ),
            ("serviceDateTime", SERVICE + "Дата и время оказания услуги"),
            ("actDate", SERVICE + "Дата формирования акта"),
            ("servicePrice", SERVICE + "Стоимость услуги"),
            ("recordType", SERVICE + "Тип записи"),
        ],
    ),
    "storage_of_returns": (
        "Хранение невыкупов и возвратов",
        [
            *_BUSINESS,
            ("resupplyType", SERVICE + "Возврат или невыкуп"),
            ("orderId", SERVICE + "Номер заказа или отгрузки"),
            ("returnId", SERVICE + "Номер возврата"),
            ("returnCount", SERVICE + "Количество возвращенных товаров шт."),
            ("returnTariff", SERVICE + "Тариф за хранение возврата"),
            ("serviceDate", SERVICE + "Дата оказания услуги"),
            ("actDate", SERVICE + "Дата формирования акта"),
            ("servicePrice", SERVICE + "Стоимость услуги"),
            ("recordType", SERVICE + "Тип записи"),
        ],
    ),
    "paid_storage_after_01-06-22": (
        "Платное хранение с 01.06.22",
        [
            *_BUSINESS,
            ("shopSku", SERVICE + "Ваш SKU"),
            ("offerName", SERVICE + "Название товара"),
            ("warehouse", SERVICE + "Склад или кластер"),
            ("tariff", SERVICE + "Тариф"),
            ("serviceDate", SERVICE + "Дата оказания услуги"),
            ("actDate", SERVICE + "Дата формирования акта"),
            ("paidStorage", SERVICE + "Стоимость платного хранения"),
        ],
    ),
    "business_subscription": (
        "Подписки",
        [
            *_BUSINESS,
            ("serviceName", SERVICE + "Услуга"),
            ("tariff", SERVICE + "Тариф в месяц"),
            ("serviceDate", SERVICE + "Дата оказания услуги"),
            ("actDate", SERVICE + "Дата формирования акта"),
            ("servicePrice", SERVICE + "Стоимость услуги"),
            ("commentary", SERVICE + "Комментарий"),
        ],
    ),
}
REPORT_SHEETS = {
    "goods-realization": ("transferred_to_delivery", "delivered", "returned"),
    "united-marketplace-services": (
        "placement",
        "delivery",
        "payment_transfer",
        "storage_of_returns",
        "paid_storage_after_01-06-22",
        "business_subscription",
    ),
}
MIMETYPES = {
    "JSON": "application/zip",
    "CSV": "application/zip",
    "FILE": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_file(
    kind: str, found: Sequence[tuple[str, dict[str, Any]]], form: str
) -> tuple[bytes, str, str]:
    """(content, mimetype, file name) of a report of ``kind`` holding ``found`` lines."""
    sheets: dict[str, list[dict[str, Any]]] = {sheet: [] for sheet in REPORT_SHEETS[kind]}
    for sheet, row in found:
        sheets.setdefault(sheet, []).append(row)
    if form == "FILE":
        return _xlsx(sheets), MIMETYPES[form], f"{kind}.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in sheets.items():
            if form == "JSON":
                archive.writestr(f"{sheet}.json", json.dumps({"rows": rows}, ensure_ascii=False))
            else:
                archive.writestr(f"{sheet}.csv", _csv(sheet, rows))
    return buffer.getvalue(), MIMETYPES[form], f"{kind}.zip"


def csv_name(json_name: str) -> str:
    """The reference's CSV column names are its JSON ones in upper snake case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", json_name).upper()


def _csv(sheet: str, rows: list[dict[str, Any]]) -> str:
    columns = [name for name, _title in SHEETS[sheet][1]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_name(name) for name in columns])
    writer.writerows([[row.get(name, "") for name in columns] for row in rows])
    return out.getvalue()


def _xlsx(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet, rows in sheets.items():
        title, columns = SHEETS[sheet]
        page = book.create_sheet(title[:31])
        page.append([name for _json, name in columns])
        for row in rows:
            page.append([row.get(name) for name, _title in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
