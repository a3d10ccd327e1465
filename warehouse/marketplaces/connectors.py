"""The connector for an account, with its credentials unsealed only for the call.

Every connector offers the same few methods (ping, new_orders, order_statuses,
label, cancel, push_stocks, product_cards) plus its marketplace's own steps,
which only ``commands`` calls. Credentials per kind:

- wb: token (+ settings content_url, prices_url, analytics_url, statistics_url and
  finance_url: where product cards, prices, the FBO stock report, the sales statistics and
  the realization report are asked, WB's own hosts; blank = the hosts beside the
  marketplace API's, see ``wb_content_url``); ozon: client_id, api_key; yandex: api_key
  (+ settings business_id, campaign_id, required, and fby_campaign_id: the FBY shop whose
  stock in Market's warehouses is read); megamarket: token (+ push_login, push_password
  for its pushes).
Every kind has the setting cutoff; ozon also delivery_method_id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from warehouse.infra.credentials import unseal
from warehouse.marketplaces.base import MarketplaceError
from warehouse.marketplaces.megamarket import MegamarketClient
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.wildberries import (
    ANALYTICS_URL,
    CONTENT_URL,
    FINANCE_URL,
    PRICES_URL,
    STATISTICS_URL,
    WildberriesClient,
)
from warehouse.marketplaces.yandex import YandexClient
from warehouse.models import MarketplaceAccount

# What a supervisor types in per marketplace (the names of the sealed fields).
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "wb": ("token",),
    "ozon": ("client_id", "api_key"),
    "yandex": ("api_key",),
    "megamarket": ("token", "push_login", "push_password"),
}
# Credentials a cabinet may go without: Megamarket's push login and password, set in its
# cabinet next to the push URL (without them the pushes are refused and polling still works).
OPTIONAL_CREDENTIALS = frozenset({"push_login", "push_password"})
# Settings per marketplace: where stock goes, which cabinet is meant, and its pickups:
# ``cutoff`` ("HH:MM", Moscow) is when the courier comes (``shipping.handovers.cutoff``);
# Ozon's ``delivery_method_id`` is the delivery method its acts are made for.
SETTING_FIELDS: dict[str, tuple[str, ...]] = {
    "wb": (
        "warehouse_id",
        "content_url",
        "prices_url",
        "analytics_url",
        "statistics_url",
        "finance_url",
        "cutoff",
    ),
    "ozon": ("warehouse_id", "delivery_method_id", "cutoff"),
    "yandex": ("business_id", "campaign_id", "warehouse_id", "fby_campaign_id", "cutoff"),
    "megamarket": ("merchant_id", "cutoff"),
}
# Settings a connector cannot work without (the others are optional).
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {"yandex": ("business_id", "campaign_id")}
DEFAULT_URLS = {
    "wb": "https://marketplace-api.wildberries.ru",
    "ozon": "https://api-seller.ozon.ru",
    "yandex": "https://api.partner.market.yandex.ru",
    "megamarket": "https://api.megamarket.tech",
}
# WB's hosts come in pairs (api-information OpenAPI): the Content API beside the
# Marketplace API, in production and in WB's own sandbox.
WB_CONTENT_HOSTS = {
    "marketplace-api.wildberries.ru": CONTENT_URL,
    "marketplace-api-sandbox.wildberries.ru": "https://content-api-sandbox.wildberries.ru",
}
# Prices and discounts likewise (api-information OpenAPI: discounts-prices-api and its sandbox).
WB_PRICES_HOSTS = {
    "marketplace-api.wildberries.ru": PRICES_URL,
    "marketplace-api-sandbox.wildberries.ru": "https://discounts-prices-api-sandbox.wildberries.ru",
}
# The reports (FBO stock) live on the analytics host; WB's sandbox has none.
WB_ANALYTICS_HOSTS = {"marketplace-api.wildberries.ru": ANALYTICS_URL}
# Sales statistics (reports OpenAPI: statistics-api and its sandbox) and the realization
# report (finance OpenAPI: finance-api; WB's sandbox has none).
WB_STATISTICS_HOSTS = {
    "marketplace-api.wildberries.ru": STATISTICS_URL,
    "marketplace-api-sandbox.wildberries.ru": "https://statistics-api-sandbox.wildberries.ru",
}
WB_FINANCE_HOSTS = {"marketplace-api.wildberries.ru": FINANCE_URL}


CLIENT_CLASSES: dict[str, type] = {
    "wb": WildberriesClient,
    "ozon": OzonClient,
    "yandex": YandexClient,
    "megamarket": MegamarketClient,
}


def offers(kind: str, call: str) -> bool:
    """Whether the marketplace's connector has ``call`` (not every API gives every report:
    Megamarket's has no sales statistics nor realization report)."""
    return callable(getattr(CLIENT_CLASSES.get(kind), call, None))


def client_for(account: MarketplaceAccount) -> Any:
    """A connector (context manager) for the account's marketplace."""
    secrets = unseal(account.credentials_encrypted)
    settings = account.settings or {}
    timeout = float(current_app.config["MARKETPLACE_TIMEOUT"])
    url = account.base_url
    if account.kind == "wb":
        return WildberriesClient(
            url,
            secrets["token"],
            timeout=timeout,
            content_url=wb_content_url(url, settings),
            analytics_url=wb_analytics_url(url, settings),
            prices_url=wb_prices_url(url, settings),
            statistics_url=wb_statistics_url(url, settings),
            finance_url=wb_finance_url(url, settings),
            report_poll_seconds=float(current_app.config["REPORT_POLL_SECONDS"]),
        )
    if account.kind == "ozon":
        return OzonClient(url, secrets["client_id"], secrets["api_key"], timeout=timeout)
    if account.kind == "yandex":
        business, campaign = int(settings["business_id"]), int(settings["campaign_id"])
        fby = str(settings.get("fby_campaign_id") or "").strip()
        return YandexClient(
            url,
            secrets["api_key"],
            business,
            campaign,
            timeout=timeout,
            fby_campaign_id=int(fby) if fby.isdecimal() else None,
            report_poll_seconds=float(current_app.config["REPORT_POLL_SECONDS"]),
        )
    if account.kind == "megamarket":
        merchant = str(settings.get("merchant_id", ""))
        return MegamarketClient(url, secrets["token"], timeout=timeout, merchant_id=merchant)
    raise MarketplaceError(f"no connector for marketplace {account.kind!r}")


def wb_content_url(base_url: str, settings: dict[str, Any]) -> str:
    """Where a WB cabinet's product cards are asked: its ``content_url`` setting, else the
    Content API host paired with its Marketplace API host, else production's.
    """
    given = str(settings.get("content_url") or "").strip()
    if given:
        return given
    return WB_CONTENT_HOSTS.get(urlsplit(base_url).hostname or "", CONTENT_URL)


def wb_prices_url(base_url: str, settings: dict[str, Any]) -> str:
    """Where a WB cabinet's prices are set and read: its ``prices_url`` setting, else the
    prices host paired with its Marketplace API host, else production's."""
    given = str(settings.get("prices_url") or "").strip()
    if given:
        return given
    return WB_PRICES_HOSTS.get(urlsplit(base_url).hostname or "", PRICES_URL)


def wb_analytics_url(base_url: str, settings: dict[str, Any]) -> str:
    """Where a WB cabinet's reports (FBO stock) are asked: its ``analytics_url`` setting,
    else the analytics host beside production's Marketplace API."""
    given = str(settings.get("analytics_url") or "").strip()
    if given:
        return given
    return WB_ANALYTICS_HOSTS.get(urlsplit(base_url).hostname or "", ANALYTICS_URL)


def wb_statistics_url(base_url: str, settings: dict[str, Any]) -> str:
    """Where a WB cabinet's sales statistics (orders, sales) are asked: its
    ``statistics_url`` setting, else the statistics host paired with its Marketplace API
    host, else production's."""
    given = str(settings.get("statistics_url") or "").strip()
    if given:
        return given
    return WB_STATISTICS_HOSTS.get(urlsplit(base_url).hostname or "", STATISTICS_URL)


def wb_finance_url(base_url: str, settings: dict[str, Any]) -> str:
    """Where a WB cabinet's realization report is asked: its ``finance_url`` setting, else
    the finance host beside production's Marketplace API."""
    given = str(settings.get("finance_url") or "").strip()
    if given:
        return given
    return WB_FINANCE_HOSTS.get(urlsplit(base_url).hostname or "", FINANCE_URL)
