"""Posting a webhook to an address an admin typed, without letting it reach inside the network.

Server-side request forgery: an endpoint URL could name the metadata service
(169.254.169.254), the database, or anything on loopback. So only http(s) URLs are taken, the
host is resolved once, every address it resolves to must be global (not private, loopback,
link-local, multicast, reserved, unspecified, shared or their IPv6 forms, IPv4-mapped ones
included) unless `WEBHOOKS_ALLOW_PRIVATE` names its range, and the connection goes to that
resolved address (the URL's host travels in the Host header and, for HTTPS, in SNI and the
certificate check): a DNS answer that changes between the check and the connect (rebinding)
changes nothing. Redirects are not followed, timeouts are short, and only the first few hundred
bytes of the answer are read.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

RESPONSE_EXCERPT_BYTES = 300
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(Exception):
    """The URL may not be posted to; the message says why (shown to admins)."""


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str
    duration_ms: int
    response_excerpt: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@cache
def _allowed_networks(raw: str) -> tuple | None:
    """`WEBHOOKS_ALLOW_PRIVATE` as networks; None: every address is allowed ("1")."""
    raw = raw.strip()
    if raw.lower() in {"1", "true", "yes", "all"}:
        return None
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False) for item in raw.split(",") if item.strip()
    )


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address.sixtofour:
            return address.sixtofour
    return address


def address_allowed(address: Address) -> bool:
    networks = _allowed_networks(settings.WEBHOOKS_ALLOW_PRIVATE)
    if networks is None:
        return True
    plain = _unmapped(address)
    if plain.is_global and not plain.is_multicast:
        return True
    return any(plain in network or address in network for network in networks)


def url_parts(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL; RefusedAddress otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedAddress(_("The URL is not valid.")) from error
    if parts.scheme not in {"http", "https"}:
        raise RefusedAddress(_("Only http:// and https:// URLs are allowed."))
    if not parts.hostname:
        raise RefusedAddress(_("The URL has no host."))
    if parts.username or parts.password:
        raise RefusedAddress(_("Put credentials in the secret, not in the URL."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port, path


def url_check(url: str) -> None:
    """Refuse, when it is registered, a URL that can never be posted to: not http(s), or a
    literal address (or localhost) in a refused range. Names are resolved at each send."""
    _scheme, host, _port, _path = url_parts(url)
    literal = _literal(host)
    if host.lower().rstrip(".") == "localhost":
        literal = ipaddress.ip_address("127.0.0.1")
    if literal is not None and not address_allowed(literal):
        raise RefusedAddress(_refused_message(literal))


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _refused_message(address: Address) -> str:
    return _(
        "The address %(address)s is private, loopback, link-local or otherwise not public; "
        "webhooks are not sent there unless WEBHOOKS_ALLOW_PRIVATE allows it."
    ) % {"address": address}


def resolve(host: str, port: int) -> Address:
    """The one address to connect to: every address the host resolves to must be allowed."""
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise RefusedAddress(_("The host could not be resolved.")) from error
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise RefusedAddress(_("The host could not be resolved."))
    for address in addresses:
        if not address_allowed(address):
            raise RefusedAddress(_refused_message(address))
    return addresses[0]


def post(*, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST `body` to `url` once; never raises: a refusal or network error is in `error`."""
    started = time.monotonic()
    try:
        scheme, host, port, path = url_parts(url)
        address = resolve(host, port)
    except RefusedAddress as refused:
        return PostResult(None, str(refused)[:500], _elapsed_ms(started), "")
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOKS_CONNECT_TIMEOUT, read=settings.WEBHOOKS_READ_TIMEOUT
    )
    pool_options = {"timeout": timeout, "retries": False, "maxsize": 1}
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(address),
            port,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=host,
            assert_hostname=host,
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(address), port, **pool_options)
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_EXCERPT_BYTES, decode_content=False)
        finally:
            response.release_conn()
            response.close()
        return PostResult(
            response.status,
            "",
            _elapsed_ms(started),
            excerpt.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_BYTES],
        )
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return PostResult(None, _network_error(error), _elapsed_ms(started), "")
    finally:
        pool.close()


def _network_error(error: Exception) -> str:
    # The class and a short reason: enough to tell a timeout from a refused connection.
    reason = getattr(error, "reason", None) or error
    return f"{type(error).__name__}: {reason}"[:500]


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
