"""Where webhooks may go: public http(s) addresses only, checked when registered and when sent.

A URL is refused when its scheme is not http or https, when it carries credentials, or
when its host is, or resolves to, an address that is loopback, private, link-local,
shared (CGNAT), reserved, multicast or unspecified, in IPv4 or IPv6 (an IPv4-mapped IPv6
address is judged by its IPv4 address). ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` lifts the
address rule (development and tests), never the scheme rule.

The check at registration alone would not stop DNS rebinding (a name that resolves to a
public address when registered and to 127.0.0.1 when sent), so the HTTP client's network
backend resolves the name itself, checks every address, and connects to the address it
checked (:class:`GuardedBackend`). TLS still verifies the certificate against the host name.
"""

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore2
from django.conf import settings
from httpcore2._backends.sync import SyncBackend

from hotgigs.webhooks.errors import WebhookTargetRefused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(httpcore2.ConnectError):
    """Raised by the network backend for an address webhooks may not reach."""


def private_targets_allowed() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo), which decide where it goes."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def address_is_public(address: Address) -> bool:
    """True for a globally routable unicast address (an IPv6 one carrying IPv4 ones: all of them)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if address.ipv4_mapped is not None or address in _NAT64:
            return all(address_is_public(inner) for inner in embedded)
        if embedded and not all(address_is_public(inner) for inner in embedded):
            return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (a literal address resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: dict[str, Address] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 sockaddr may carry a scope ("fe80::1%eth0"); the address is what matters.
        text = str(sockaddr[0]).split("%", 1)[0]
        found.setdefault(text, ipaddress.ip_address(text))
    return list(found.values())


def refused_addresses(addresses: Iterable[Address]) -> list[str]:
    """The addresses among ``addresses`` webhooks may not reach (none when private targets are allowed)."""
    if private_targets_allowed():
        return []
    return [str(address) for address in addresses if not address_is_public(address)]


def target_check(url: str) -> None:
    """Refuse a URL webhooks may not be sent to; raises WebhookTargetRefused (details.url)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookTargetRefused(details={"url": ["Enter a valid URL."]}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetRefused(details={"url": ["Use an http or https URL with a host."]})
    if parts.username or parts.password:
        raise WebhookTargetRefused(details={"url": ["Do not put credentials in the URL."]})
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError):
        raise WebhookTargetRefused(details={"url": ["The host name does not resolve."]}) from None
    if not addresses:
        raise WebhookTargetRefused(details={"url": ["The host name does not resolve."]})
    if refused_addresses(addresses):
        raise WebhookTargetRefused(
            details={"url": ["The host is a private, loopback, link-local or reserved address."]}
        )


class GuardedBackend(SyncBackend):
    """A network backend that connects only to addresses :func:`address_is_public` accepts."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> Any:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore2.ConnectError(f"cannot resolve {host}: {exc}") from exc
        refused = refused_addresses(addresses)
        allowed = [address for address in addresses if str(address) not in refused]
        if not allowed:
            raise TargetRefused(f"{host} resolves only to refused addresses: {', '.join(refused)}")
        last: Exception = httpcore2.ConnectError(f"cannot connect to {host}")
        for address in allowed:
            try:
                return super().connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                last = exc
        raise last
