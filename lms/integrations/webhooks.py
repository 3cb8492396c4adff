"""Webhooks: endpoints, where a receiver may be, and the sender (``lms.integrations.deliveries``
holds the queue: the outbox consumer, retries, the dead-letter list).

Each delivery is an HTTP POST of a JSON body ::

    {"event_id": "...", "type": "completion.created", "created_at": "<ISO 8601>", "data": {...}}

(``data`` is the completion feed item of CONTRACT.md) with the headers ``Content-Type:
application/json``, ``X-Akademi-Event`` (the type), ``X-Akademi-Event-Id`` and
``X-Akademi-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the endpoint secret>``.
A receiver de-duplicates by the event id: a delivery can arrive twice (a 2xx lost on the way back).

Receivers must be on public addresses: the URL's host is resolved, and every address it resolves
to must be global (no loopback, link-local such as cloud metadata, unspecified, multicast or
reserved; private ranges only when ``WEBHOOK_ALLOW_PRIVATE`` allows them, for an intranet). This
is checked when the endpoint is registered and again at every delivery, and the delivery
connects to the address that was checked (TLS still verifies the URL's host name), so a DNS name
that later resolves elsewhere (rebinding) cannot turn the sender against the internal network.
The admin sees "Gagal terhubung ke penerima." for every connection failure, never whether a port
was refused, filtered or timed out (the detail goes to the server log).

A 2xx answer is delivered; anything else (an HTTP error, a redirect, a refused connection, a
timeout) is retried after ``WEBHOOK_BACKOFF_SECONDS × 2^(attempts − 1)`` (default 60 s: 1, 2, 4,
8, 16 minutes) until ``WEBHOOK_MAX_ATTEMPTS`` (default 6); then the delivery is ``dead`` and waits
in the dead-letter list for an admin's retry.

New deliveries are sent as soon as the outbox dispatch that created them commits: with a broker
in a Celery worker, without one (``make run``) in the app process's background thread
(``lms.tasks``), never inside the web request (a slow receiver must not hold up a learner's
page). Retries that fall due later are sent by Celery beat (task ``webhooks.deliver_due``), by
cron (``flask webhooks deliver``), by the next round a new event starts, or at once by the
admin's "Kirim sekarang" on the endpoint's page (``deliveries.send_now``).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from lms.auth.services import audit
from lms.db import as_utc, utcnow
from lms.extensions import db
from lms.integrations.models import (
    SECRET_MIN_LENGTH,
    WEBHOOK_EVENTS,
    WebhookDelivery,
    WebhookEndpoint,
)

SIGNATURE_HEADER = "X-Akademi-Signature"
USER_AGENT = "AkademiASN-Webhook/1"


class WebhookError(ValueError):
    """Bad input for an endpoint (shown to the admin) or a delivery that cannot be retried."""


# --- endpoints ---------------------------------------------------------------------------------


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.hostname:
        raise WebhookError(_("URL harus diawali http:// atau https:// dan memuat nama host."))
    if len(url) > 500:
        raise WebhookError(_("URL paling panjang 500 karakter."))
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise WebhookError(_("Nomor port pada URL tidak valid.")) from None
    return url


# --- where a receiver may be -------------------------------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_YES = ("1", "true", "yes", "on")


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (A and AAAA), in the resolver's order.

    The one place that asks DNS: tests replace it, so they never need the internet.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _allowed_by_config() -> tuple[bool, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    """(private ranges allowed, networks allowed by name) from ``WEBHOOK_ALLOW_PRIVATE``."""
    value = str(current_app.config.get("WEBHOOK_ALLOW_PRIVATE") or "").strip()
    if value.lower() in _YES:
        return True, []
    networks = []
    for part in value.split(","):
        if not part.strip() or part.strip().lower() in ("0", "false", "no", "off"):
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            current_app.logger.warning("WEBHOOK_ALLOW_PRIVATE: %r is not a network", part)
    return False, networks


def address_refusal(address: str) -> str | None:
    """Why a receiver may not be at ``address`` (shown to the admin), or None when it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return _("alamat tidak dikenali")
    private_ok, networks = _allowed_by_config()
    if any(ip in network for network in networks):
        return None
    # An IPv4 address carried in an IPv6 one reaches that IPv4 host: judge the IPv4 address.
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo or (None, None))[1]
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return address_refusal(str(inner))
    if ip.is_loopback:
        return _("alamat loopback (mesin ini sendiri)")
    if ip.is_link_local:
        return _("alamat link-local")
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return _("alamat yang tidak dapat dipakai")
    if not ip.is_global and not private_ok:
        return _("alamat jaringan privat")
    return None


def destination(url: str) -> tuple[str, int, list[str]]:
    """(host, port, addresses) of a checked URL; WebhookError unless every address may be used.

    Every address must pass, not just one: a name with one public and one internal address
    could otherwise be sent to the internal one.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise WebhookError(_("Nama host %(h)s tidak ditemukan (DNS).", h=host))
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            raise WebhookError(
                _(
                    "URL penerima mengarah ke %(r)s (%(a)s); webhook hanya boleh dikirim ke "
                    "alamat publik. Penerima di intranet perlu diizinkan lewat "
                    "LMS_WEBHOOK_ALLOW_PRIVATE.",
                    r=reason,
                    a=address,
                )
            )
    return host, port, addresses


def check_receiver(url: str) -> str:
    """check_url, then where the URL leads (resolved and checked); the cleaned URL."""
    url = check_url(url)
    destination(url)
    return url


def add_endpoint(
    url: str,
    secret: str,
    events: list[str] | None = None,
    *,
    by=None,
    description: str = "",
) -> WebhookEndpoint:
    """Register an endpoint (flushed, not committed); raise WebhookError on bad input."""
    url = check_receiver(url)
    if len(secret or "") < SECRET_MIN_LENGTH:
        raise WebhookError(_("Kunci rahasia minimal %(n)s karakter.", n=SECRET_MIN_LENGTH))
    if len(secret) > 200:
        raise WebhookError(_("Kunci rahasia paling panjang 200 karakter."))
    chosen = list(dict.fromkeys(events)) if events else list(WEBHOOK_EVENTS)
    unknown = [e for e in chosen if e not in WEBHOOK_EVENTS]
    if unknown:
        raise WebhookError(
            _(
                "Jenis peristiwa tidak dikenal: %(e)s. Pilihan: %(c)s.",
                e=", ".join(unknown),
                c=", ".join(WEBHOOK_EVENTS),
            )
        )
    endpoint = WebhookEndpoint(
        url=url,
        secret=secret,
        events=chosen,
        description=(description or "").strip()[:200],
        active=True,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(endpoint)
    db.session.flush()
    audit(by, "create", endpoint, f"Webhook {url}", after={"url": url, "events": chosen})
    return endpoint


def set_active(endpoint: WebhookEndpoint, active: bool, *, by=None) -> None:
    if endpoint.active == active:
        return
    endpoint.active = active
    audit(
        by,
        "update",
        endpoint,
        f"Webhook {'diaktifkan' if active else 'dinonaktifkan'}",
        before={"active": not active},
        after={"active": active},
    )
    db.session.flush()


# --- sending -----------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    created = as_utc(delivery.event_created_at) or utcnow()
    document = {
        "event_id": delivery.event_id,
        "type": delivery.event_type,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "data": delivery.payload or {},
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (here for tests and documentation)."""
    return hmac.compare_digest(sign(secret, body), header or "")


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the addresses that were checked, never to a fresh lookup of the host name
    (which a rebinding DNS server could answer differently); the Host header and, over HTTPS,
    the certificate check still use the URL's host name."""

    def __init__(self, host: str, port: int, addresses: list[str], **kwargs: object) -> None:
        super().__init__(host, port, **kwargs)
        self._addresses = addresses
        # http.client opens its socket through this attribute (set in __init__).
        self._create_connection = self._connect_checked

    def _connect_checked(
        self,
        address: tuple[str, int],
        timeout: object = None,
        source_address: object = None,
    ) -> socket.socket:
        error: OSError | None = None
        for ip in self._addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout)  # type: ignore[arg-type]
            except OSError as exc:
                error = exc
        raise error or OSError("no address")


class _PinnedHTTPSConnection(_PinnedConnection, http.client.HTTPSConnection):
    pass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str


def send(endpoint: WebhookEndpoint, delivery: WebhookDelivery, timeout: float) -> Outcome:
    """POST the delivery once; never raises for network or HTTP failures.

    The URL is checked again and resolved here (not only at registration), and the connection
    goes to the address checked. A redirect is an answer like any other non-2xx: not followed.
    """
    try:
        url = check_url(endpoint.url)
        host, port, addresses = destination(url)
    except WebhookError as exc:
        return Outcome(False, None, str(exc))
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Akademi-Event": delivery.event_type,
        "X-Akademi-Event-Id": delivery.event_id,
        SIGNATURE_HEADER: sign(endpoint.secret, body),
    }
    if parts.scheme == "https":
        connection: _PinnedConnection = _PinnedHTTPSConnection(
            host, port, addresses, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _PinnedConnection(host, port, addresses, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        code = response.status
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # Refused, timed out, reset, TLS: one message for the admin, so the delivery log cannot
        # be used to map which ports answer; the detail is for the operator's log.
        current_app.logger.info("webhook %s to %s failed: %r", delivery.event_id, url, exc)
        return Outcome(False, None, _("Gagal terhubung ke penerima."))
    finally:
        connection.close()
    if 200 <= code < 300:
        return Outcome(True, code, "")
    return Outcome(False, code, f"HTTP {code}")
