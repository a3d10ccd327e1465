"""The connector for an account, with its credentials unsealed only for the call."""

from __future__ import annotations

from flask import current_app

from warehouse.credentials import unseal
from warehouse.marketplaces.base import MarketplaceError
from warehouse.marketplaces.wildberries import WildberriesClient
from warehouse.models import MarketplaceAccount


def client_for(account: MarketplaceAccount) -> WildberriesClient:
    secrets = unseal(account.credentials_encrypted)
    timeout = float(current_app.config["MARKETPLACE_TIMEOUT"])
    if account.kind == "wb":
        return WildberriesClient(account.base_url, secrets["token"], timeout=timeout)
    raise MarketplaceError(f"no connector for marketplace {account.kind!r} yet")
