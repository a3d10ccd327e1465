"""/api/v1/webhooks: a service account's receivers (subscribe, list, stop) and what was
sent to them; the bodies and their signature are described in
``warehouse.integrations.webhooks`` and on /api/v1/docs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, current_app, g
from pydantic import BaseModel, Field

from warehouse.infra import db
from warehouse.integrations import service_accounts, webhooks
from warehouse.models import WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscription
from warehouse.models.integrations import DELIVERY_STATUSES
from warehouse.web.api.pages import Body, PageQuery
from warehouse.web.api.problems import Problem
from warehouse.web.api.spec import endpoint

Event = Literal[WEBHOOK_EVENTS]  # type: ignore[valid-type]
DeliveryStatus = Literal[DELIVERY_STATUSES]  # type: ignore[valid-type]


class SubscriptionIn(Body):
    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://\S+$")
    events: list[Event] = Field(min_length=1, max_length=len(WEBHOOK_EVENTS))


class SubscriptionOut(BaseModel):
    id: int
    url: str
    events: list[Event]
    active: bool
    created_at: datetime


class Subscribed(SubscriptionOut):
    secret: str = Field(description="signs every body: shown this once, keep it")


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]


class DeliveryOut(BaseModel):
    id: int
    subscription_id: int
    event: Event
    status: DeliveryStatus
    attempts: int
    last_status: int | None = Field(description="the receiver's last HTTP status")
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next: int
    has_more: bool


class Stopped(BaseModel):
    id: int
    active: bool


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/webhooks", view_func=subscriptions, methods=["GET"])
    bp.add_url_rule("/webhooks", view_func=subscribe, methods=["POST"])
    bp.add_url_rule("/webhooks/<int:subscription_id>", view_func=stop, methods=["DELETE"])
    bp.add_url_rule("/webhooks/deliveries", view_func=deliveries, methods=["GET"])


@endpoint(
    "webhooks", tags=("webhooks",), json=SubscriptionIn, ok=Subscribed, status=201, write=True
)
def subscribe(json: SubscriptionIn) -> tuple[Subscribed, int]:
    """Subscribe a receiver to events.

    Each POST to the receiver carries `Webhook-Id` (the delivery), `Webhook-Event` and
    `Webhook-Signature: t=<unix seconds>,v1=<hex>`, the hex being HMAC-SHA256 of
    `<t>.<body>` under the secret. Check it and refuse a `t` older than five minutes;
    answer 2xx once the event is stored. Anything else is tried again for about two days.
    The body: `{"id", "event", "at", "data"}`; `data` gives the ids to read more here."""
    session = db.session()
    account = service_accounts.get(session, g.api_caller.account_id)
    found, secret = webhooks.subscribe(
        session, account, json.url, json.events, current_app.config["CREDENTIALS_KEY"]
    )
    return Subscribed(**_subscription(found).model_dump(), secret=secret), 201


@endpoint("webhooks", tags=("webhooks",), ok=SubscriptionList)
def subscriptions() -> SubscriptionList:
    """This account's receivers (their secrets are never shown again)."""
    found = webhooks.subscriptions_of(db.session(), g.api_caller.account_id)
    return SubscriptionList(items=[_subscription(s) for s in found])


@endpoint("webhooks", tags=("webhooks",), ok=Stopped, more={"HTTP_404": Problem})
def stop(subscription_id: int) -> Stopped:
    """Stop a receiver: nothing more is sent to it, pending deliveries are dropped."""
    session = db.session()
    webhooks.unsubscribe(session, g.api_caller.account_id, subscription_id)
    session.commit()
    return Stopped(id=subscription_id, active=False)


@endpoint("webhooks", tags=("webhooks",), query=PageQuery, ok=DeliveryPage)
def deliveries(query: PageQuery) -> DeliveryPage:
    """What was sent to this account's receivers, oldest first, after the cursor."""
    items, next_id, more = webhooks.deliveries_after(
        db.session(), g.api_caller.account_id, query.after, query.limit
    )
    return DeliveryPage(items=[_delivery(d) for d in items], next=next_id, has_more=more)


def _subscription(found: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=found.id,
        url=found.url,
        events=sorted(found.events),
        active=found.active,
        created_at=found.created_at,
    )


def _delivery(found: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=found.id,
        subscription_id=found.subscription_id,
        event=found.event,
        status=found.status,
        attempts=found.attempts,
        last_status=found.last_status,
        last_error=found.last_error,
        created_at=found.created_at,
        delivered_at=found.delivered_at,
    )
