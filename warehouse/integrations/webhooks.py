"""Webhooks: a service account's receivers told what happened, signed, until they have it.

A subscription (URL, events, a secret shown once and kept sealed) belongs to a service
account holding the ``webhooks`` scope. The events are found where they are written, in
the transaction that writes them (a session hook, so no code path can forget one):

- ``order.status_changed`` — a new ``OrderEvent`` (every unified status change);
- ``stock.below_minimum`` — a new ``low_stock`` alert (a product's free units crossed
  its minimum);
- ``handover.closed`` — a hand-over's ``closed`` history line;
- ``pick.short`` — a new ``Shortage`` («Нет товара» on the ТСД).

Each event becomes one ``WebhookDelivery`` per receiver in that same transaction (an
outbox: committed with the change or not at all), and after the commit an RQ job posts
it. The body is fixed at creation; every attempt signs it anew:
``Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``. A
receiver's 2xx delivers it; anything else (or no answer) is tried again after
``WEBHOOK_BACKOFF_SECONDS``; after the last step the delivery is ``failed`` and the desk
can send it again. A sweeper re-enqueues deliveries whose job was lost with Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from flask import current_app, has_app_context
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session, joinedload

from warehouse.errors import DomainError, NotFound
from warehouse.infra import feeds, queue
from warehouse.infra.credentials import CredentialsError, seal, unseal
from warehouse.models import (
    WEBHOOK_EVENTS,
    Alert,
    HandOver,
    HandOverEvent,
    MarketplaceAccount,
    Order,
    OrderEvent,
    Product,
    ServiceAccount,
    ServiceAccountScope,
    Shortage,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    utcnow,
)

logger = logging.getLogger(__name__)

DELIVER = "warehouse.jobs.deliver_webhook"
# what an account must be allowed to read to be told of each event
READ_SCOPE = {
    "order.status_changed": "orders:read",
    "pick.short": "orders:read",
    "stock.below_minimum": "stock:read",
    "handover.closed": "handovers:read",
}
PENDING = "webhook_events"  # session.info: events seen in this transaction's flushes
USER_AGENT = "warehouse-webhooks/1"


# --- subscriptions --------------------------------------------------------------------


def refused_address(url: str) -> str:
    """Why the receiver's host may not be called ("" when it may). Link-local addresses
    (a cloud's metadata service) and multicast never; private and loopback ones only with
    ``WEBHOOK_ALLOW_PRIVATE`` (on by default: 1C usually sits in the warehouse's LAN)."""
    host = urlsplit(url).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return "unresolved"
    allow_private = bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    for address in found:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            return "reserved"
        if (ip.is_private or ip.is_loopback) and not allow_private:
            return "private"
    return ""


def subscribe(
    session: Session, account: ServiceAccount, url: str, events: Iterable[str], key: str
) -> tuple[WebhookSubscription, str]:
    """A new receiver and its secret (returned once: shown to the caller, then sealed)."""
    wanted = sorted(set(events))
    if not wanted:
        raise DomainError("webhook_no_events")
    unknown = set(wanted) - set(WEBHOOK_EVENTS)
    if unknown:
        raise DomainError("webhook_unknown_event", event=", ".join(sorted(unknown)))
    for name in wanted:
        if READ_SCOPE[name] not in account.scopes:
            raise DomainError("webhook_needs_scope", event=name, scope=READ_SCOPE[name])
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a malformed address (an unclosed IPv6 bracket, a bad port)
        usable = False
    if not usable:
        raise DomainError("webhook_bad_url")
    refused = refused_address(url)
    if refused:
        raise DomainError("webhook_address_refused", why=refused)
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription = WebhookSubscription(
        account_id=account.id,
        url=url,
        secret_encrypted=seal({"secret": secret}, key),
        event_rows=[WebhookEvent(event=name) for name in wanted],
    )
    session.add(subscription)
    session.flush()
    logger.info(
        "webhook subscribed id=%s account=%s events=%s",
        subscription.id,
        account.id,
        ",".join(wanted),
    )
    return subscription, secret


def subscriptions_of(session: Session, account_id: int) -> list[WebhookSubscription]:
    query = (
        select(WebhookSubscription)
        .options(joinedload(WebhookSubscription.event_rows))
        .where(WebhookSubscription.account_id == account_id)
        .order_by(WebhookSubscription.id)
    )
    return list(session.scalars(query).unique())


def subscription_of(session: Session, account_id: int, subscription_id: int) -> WebhookSubscription:
    found = session.get(WebhookSubscription, subscription_id)
    if found is None or found.account_id != account_id:
        raise NotFound("webhook_not_found")
    return found


def unsubscribe(session: Session, account_id: int, subscription_id: int) -> None:
    """Stop a receiver: nothing more is sent to it, what is pending is not tried again."""
    found = subscription_of(session, account_id, subscription_id)
    found.active = False
    for delivery in session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == found.id, WebhookDelivery.status == "pending"
        )
    ):
        delivery.status, delivery.last_error = "failed", "unsubscribed"


def deliveries_of(session: Session, account_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """The account's latest deliveries, newest first (the desk's log)."""
    query = (
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .options(joinedload(WebhookDelivery.subscription))
        .where(WebhookSubscription.account_id == account_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def deliveries_after(
    session: Session, account_id: int, after: int, limit: int
) -> tuple[list[WebhookDelivery], int, bool]:
    """The account's deliveries after a cursor, oldest first, never past the feed's
    horizon (many transactions write them at once); with the next cursor."""
    top = feeds.horizon(session, "webhook_deliveries")
    query = (
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookSubscription.account_id == account_id,
            WebhookDelivery.id > after,
            WebhookDelivery.id <= top,
        )
        .order_by(WebhookDelivery.id)
        .limit(limit + 1)
    )
    found = list(session.scalars(query))
    more = len(found) > limit
    items = found[:limit]
    return items, (items[-1].id if more else max(top, after)), more


def retry(session: Session, account_id: int, delivery_id: int) -> WebhookDelivery:
    """A person (or the receiver's owner) asks for a delivery again: tried now."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription.account_id != account_id:
        raise NotFound("webhook_delivery_not_found")
    if delivery.status != "delivered":
        delivery.status, delivery.next_attempt_at = "pending", utcnow()
        queue.enqueue_after_commit(session, DELIVER, delivery.id, queue="outbox")
    return delivery


# --- events found in a transaction ----------------------------------------------------


def install() -> None:
    """Listen to every session: events seen when flushed, deliveries written before the
    commit. Idempotent (create_app may run more than once in a process)."""
    if not event.contains(Session, "after_flush", _seen):
        event.listen(Session, "after_flush", _seen)
        event.listen(Session, "before_commit", _owed)
        event.listen(Session, "after_transaction_end", _forget)


def _seen(session: Session, _context: Any) -> None:
    found: list[tuple[str, Any]] = []
    for instance in session.new:
        if isinstance(instance, OrderEvent):
            found.append(("order.status_changed", instance))
        elif isinstance(instance, Shortage):
            found.append(("pick.short", instance))
        elif isinstance(instance, Alert) and instance.kind == "low_stock":
            found.append(("stock.below_minimum", instance))
        elif isinstance(instance, HandOverEvent) and instance.kind == "closed":
            found.append(("handover.closed", instance))
    if found:
        session.info.setdefault(PENDING, []).extend(found)


def _forget(session: Session, transaction: Any) -> None:
    """The outermost transaction is over (committed or rolled back): nothing seen in it
    is owed any more. A savepoint's end keeps the list: what its rollback undid is no
    longer persistent, and ``_owed`` leaves it out."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _owed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its events wait for the real commit
    session.flush()  # the commit flushes only after this hook: what it writes is seen now
    seen = [
        (name, instance)
        for name, instance in session.info.pop(PENDING, ())
        if inspect(instance).persistent  # a savepoint rolled back may have undone it
    ]
    if not seen:
        return
    receivers = _receivers(session, {name for name, _ in seen})
    if not receivers:
        return
    made: list[WebhookDelivery] = []
    for name, instance in seen:
        wanted = [sub_id for sub_id, events in receivers if name in events]
        if not wanted:
            continue
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "event": name,
                "at": utcnow().isoformat(),
                "data": _data(session, name, instance),
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        made += [
            WebhookDelivery(subscription_id=sub_id, event=name, body=body) for sub_id in wanted
        ]
    session.add_all(made)
    session.flush()
    if has_app_context():  # without one (a script's session) the sweeper sends them
        queue.enqueue_each_after_commit(
            session, DELIVER, [(delivery.id,) for delivery in made], queue="outbox"
        )


def _receivers(session: Session, names: set[str]) -> list[tuple[int, set[str]]]:
    """Active subscriptions of active accounts holding the ``webhooks`` scope, each with
    the events it wants and its account may still read."""
    rows = session.execute(
        select(WebhookSubscription.id, WebhookEvent.event, ServiceAccount.id)
        .join(WebhookEvent, WebhookEvent.subscription_id == WebhookSubscription.id)
        .join(ServiceAccount, ServiceAccount.id == WebhookSubscription.account_id)
        .where(
            WebhookSubscription.active.is_(True),
            ServiceAccount.active.is_(True),
            WebhookEvent.event.in_(names),
        )
        .order_by(WebhookSubscription.id)
    ).all()
    if not rows:
        return []
    scopes: dict[int, set[str]] = {}
    for account_id, scope in session.execute(
        select(ServiceAccountScope.account_id, ServiceAccountScope.scope).where(
            ServiceAccountScope.account_id.in_({row[2] for row in rows})
        )
    ):
        scopes.setdefault(account_id, set()).add(scope)
    by_subscription: dict[int, set[str]] = {}
    for sub_id, name, account_id in rows:
        held = scopes.get(account_id, set())
        if "webhooks" in held and READ_SCOPE[name] in held:
            by_subscription.setdefault(sub_id, set()).add(name)
    return list(by_subscription.items())


def _data(session: Session, name: str, instance: Any) -> dict[str, Any]:
    """What a receiver is told of the event: ids to read more through the API, and the
    figures that make it worth a message."""
    if name == "order.status_changed":
        order = session.get_one(Order, instance.order_id)
        return {
            "order_id": order.id,
            "external_id": order.external_id,
            "marketplace": session.get_one(MarketplaceAccount, order.account_id).kind,
            "account_id": order.account_id,
            "from_status": instance.from_status,
            "to_status": instance.to_status,
            "marketplace_status": instance.marketplace_status,
            "changed_at": instance.at.isoformat(),
        }
    if name == "pick.short":
        order = session.get_one(Order, instance.order_id)
        return {
            "shortage_id": instance.id,
            "order_id": order.id,
            "external_id": order.external_id,
            "quantity": instance.quantity,
            "reason": instance.reason,
        }
    if name == "stock.below_minimum":
        product = session.get_one(Product, instance.subject_id)
        return {
            "product_id": product.id,
            "article": product.article,
            "min_stock": product.min_stock,
            "seen": instance.details,
        }
    handover = session.get_one(HandOver, instance.handover_id)
    return {
        "handover_id": handover.id,
        "account_id": handover.account_id,
        "ship_date": handover.ship_date.isoformat(),
        "external_id": handover.external_id,
    }


# --- delivery ---------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def deliver(
    session: Session, delivery_id: int, *, key: str, timeout: float, backoff: tuple[int, ...]
) -> WebhookDelivery | None:
    """Post one pending delivery; record the answer. None: nothing to do (delivered,
    failed, or not due yet). The caller commits, then schedules the next attempt."""
    delivery = session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
    )
    if delivery is None or delivery.status != "pending":
        return None
    if delivery.next_attempt_at > utcnow() + timedelta(seconds=1):
        return None
    subscription = delivery.subscription
    if not subscription.active:
        delivery.status, delivery.last_error = "failed", "unsubscribed"
        return delivery
    delivery.attempts += 1
    try:
        secret = unseal(subscription.secret_encrypted, key)["secret"]
    except CredentialsError:
        delivery.status = "failed"
        delivery.last_error = "the secret cannot be read: CREDENTIALS_KEY changed? subscribe again"
        logger.error("webhook failed delivery=%s: secret cannot be unsealed", delivery.id)
        return delivery
    refused = refused_address(subscription.url)
    if refused:  # the name now points somewhere it may not (DNS changed since subscribing)
        delivery.status, delivery.last_error = "failed", f"address refused: {refused}"
        logger.error("webhook failed delivery=%s: address %s", delivery.id, refused)
        return delivery
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": str(delivery.id),
        "Webhook-Event": delivery.event,
        "Webhook-Signature": sign(secret, timestamp, delivery.body),
    }

    try:
        answer = httpx.post(
            subscription.url,
            content=delivery.body.encode(),
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
        )
        delivery.last_status, delivery.last_error = answer.status_code, ""
        ok = 200 <= answer.status_code < 300
        if not ok:
            delivery.last_error = f"HTTP {answer.status_code}"
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # no answer, or no address to call
        delivery.last_status, ok = None, False
        delivery.last_error = (f"{type(exc).__name__}: {exc}")[:500]
    if ok:
        delivery.status, delivery.delivered_at = "delivered", utcnow()
        logger.info(
            "webhook delivered delivery=%s event=%s attempts=%s",
            delivery.id,
            delivery.event,
            delivery.attempts,
        )
    elif delivery.attempts > len(backoff):
        delivery.status = "failed"
        logger.error(
            "webhook failed delivery=%s after=%s error=%s",
            delivery.id,
            delivery.attempts,
            delivery.last_error,
        )
    else:
        wait = backoff[delivery.attempts - 1]
        delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
        logger.warning(
            "webhook retry delivery=%s in=%ss error=%s", delivery.id, wait, delivery.last_error
        )
    return delivery


def due(session: Session, limit: int = 500) -> list[int]:
    """Pending deliveries whose attempt is due (the sweeper's)."""
    query = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def prune(session: Session, before: datetime) -> int:
    """Forget settled deliveries older than ``before``."""
    result = session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.created_at < before, WebhookDelivery.status != "pending"
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
