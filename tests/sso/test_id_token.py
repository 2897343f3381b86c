"""The ID token's checks, against the real provider's JWKS: a token okrtracker did not ask
for, or that is stale, never signs anyone in, even when the provider's key signed it."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from metrics.sso.backend import OrganisationOIDCBackend
from tests.sso.provider import OTHER_CLIENT_ID


@pytest.fixture
def backend(sso):
    backend = OrganisationOIDCBackend()
    backend.request = RequestFactory().get("/oidc/callback/")
    backend.configure()
    return backend


def test_a_token_of_the_provider_for_this_sign_in_is_accepted(backend, sso):
    claims = backend.verify_token(sso.mint_id_token(nonce="n-1"), nonce="n-1")

    assert claims["sub"] == "alice"


def test_a_token_for_another_application_is_refused(backend, sso):
    token = sso.mint_id_token(aud=OTHER_CLIENT_ID)

    with pytest.raises(SuspiciousOperation, match="[Aa]udience"):
        backend.verify_token(token, nonce="n-0")


def test_a_token_for_several_audiences_needs_this_client_as_authorised_party(backend, sso):
    token = sso.mint_id_token(aud=["okrtracker", OTHER_CLIENT_ID], azp=OTHER_CLIENT_ID)

    with pytest.raises(SuspiciousOperation, match="azp"):
        backend.verify_token(token, nonce="n-0")


def test_an_expired_token_is_refused(backend, sso):
    now = int(time.time())
    token = sso.mint_id_token(iat=now - 900, exp=now - 600)

    with pytest.raises(SuspiciousOperation, match="expired"):
        backend.verify_token(token, nonce="n-0")


def test_a_token_of_another_issuer_is_refused(backend, sso):
    with pytest.raises(SuspiciousOperation, match="issuer"):
        backend.verify_token(sso.mint_id_token(iss="http://evil.example"), nonce="n-0")


def test_a_token_of_another_sign_in_is_refused(backend, sso):
    with pytest.raises(SuspiciousOperation, match="[Nn]once"):
        backend.verify_token(sso.mint_id_token(nonce="someone-elses"), nonce="n-0")


def test_a_token_without_expiry_is_refused(backend, sso):
    with pytest.raises(SuspiciousOperation, match="exp"):
        backend.verify_token(sso.mint_id_token(exp=None), nonce="n-0")


def test_a_token_signed_by_another_key_under_the_providers_key_id_is_refused(backend, sso):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    real_key, sso.key = sso.key, forger
    try:
        token = sso.mint_id_token()
    finally:
        sso.key = real_key

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce="n-0")


def test_an_unsigned_token_is_refused(backend, sso):
    import jwt

    token = jwt.encode({"sub": "alice", "aud": "okrtracker"}, key=None, algorithm="none")

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce="n-0")
