"""Webhook posts cannot be pointed inside the network (server-side request forgery): only
http(s), only public addresses unless allowed, the resolved address is the one connected to,
no redirects, a bounded answer."""

import ipaddress
import socket

import pytest

from metrics import webhook_transport
from metrics.webhook_transport import RefusedAddress, address_allowed, post, resolve, url_check
from tests.webhook_receiver import Receiver


@pytest.fixture
def allow(settings):
    def set_allowed(value: str):
        settings.WEBHOOKS_ALLOW_PRIVATE = value
        webhook_transport._allowed_networks.cache_clear()

    set_allowed("")
    yield set_allowed
    webhook_transport._allowed_networks.cache_clear()


REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # shared address space
    "0.0.0.0",
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused_by_default(allow, address):
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(allow, address):
    assert address_allowed(ipaddress.ip_address(address))


def test_the_setting_allows_the_ranges_it_lists_and_no_others(allow):
    allow("127.0.0.0/8, 10.0.0.0/8")

    assert address_allowed(ipaddress.ip_address("127.0.0.1"))
    assert address_allowed(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert address_allowed(ipaddress.ip_address("10.9.8.7"))
    assert not address_allowed(ipaddress.ip_address("192.168.1.1"))
    assert not address_allowed(ipaddress.ip_address("169.254.169.254"))


def test_one_allows_every_address(allow):
    allow("1")

    assert address_allowed(ipaddress.ip_address("169.254.169.254"))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "ftp://hooks.example.org/",
        "http:///no-host",
        "http://user:password@hooks.example.org/",
        "http://127.0.0.1:6379/",
        "http://[::1]/",
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://hooks.example.org:99999/",
    ],
)
def test_urls_that_can_never_be_posted_to_are_refused_when_registered(allow, url):
    with pytest.raises(RefusedAddress):
        url_check(url)


def test_a_name_resolving_to_any_refused_address_is_refused(allow, monkeypatch):
    def getaddrinfo(host, port, **kwargs):
        # A public address and a private one: an attacker's DNS may answer both.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(RefusedAddress):
        resolve("hooks.example.org", 443)


def test_the_post_connects_to_the_address_it_checked_with_the_name_as_host(allow, monkeypatch):
    """Resolved once: the connection goes to the checked address (no second lookup that a
    rebinding DNS could answer differently), and the receiver sees the URL's host name."""
    allow("127.0.0.0/8")
    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host == "hooks.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with Receiver([204], body=b"") as receiver:
        result = post(
            url=f"http://hooks.example.test:{receiver.port}/in?x=1", body=b"{}", headers={}
        )

    assert result.status_code == 204
    # The name is looked up once; the connection then names the address itself.
    assert lookups == ["hooks.example.test", "127.0.0.1"]
    (received,) = receiver.received
    assert received.headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert received.path == "/in?x=1"


def test_redirects_are_not_followed(allow):
    allow("127.0.0.0/8")
    with Receiver([302]) as receiver:
        result = post(url=receiver.url(), body=b"{}", headers={})

    assert result.status_code == 302
    assert not result.ok
    assert len(receiver.received) == 1


def test_only_the_start_of_the_answer_is_kept(allow):
    allow("127.0.0.0/8")
    with Receiver([200], body=b"x" * 100_000) as receiver:
        result = post(url=receiver.url(), body=b"{}", headers={})

    assert result.ok
    assert result.response_excerpt == "x" * webhook_transport.RESPONSE_EXCERPT_BYTES


def test_a_closed_port_is_an_error_not_an_exception(allow):
    allow("127.0.0.0/8")
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]

    result = post(url=f"http://127.0.0.1:{port}/", body=b"{}", headers={})

    assert result.status_code is None
    assert result.error


def test_a_refused_address_is_never_connected_to(allow):
    with Receiver([200]) as receiver:
        result = post(url=receiver.url(), body=b"{}", headers={})

    assert result.status_code is None
    assert "not public" in result.error
    assert receiver.received == []


def test_an_https_receiver_with_an_untrusted_certificate_is_refused(allow, monkeypatch, tmp_path):
    """Certificates are checked (for the URL's host name, though the connection names the
    address): a self-signed one fails and no request body is sent."""
    import shutil
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    allow("127.0.0.0/8")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.example.test",
         "-addext", "subjectAltName=DNS:hooks.example.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    received = []

    def serve():
        connection, _ = listener.accept()
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                received.append(tls.recv(1024))
        except (ssl.SSLError, OSError):
            pass

    threading.Thread(target=serve, daemon=True).start()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "hooks.example.test":
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        result = post(url=f"https://hooks.example.test:{port}/in", body=b"{}", headers={})
    finally:
        listener.close()

    assert result.status_code is None
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert received == []
