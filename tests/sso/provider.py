"""A real OpenID Provider on loopback for the SSO tests: panva's node-oidc-provider (the
certified implementation behind many production providers), started from
tests/sso/provider/server.mjs with a signing key the tests generate, so they can also mint
tokens that the provider's JWKS vouches for (expired, wrong audience...) and check that
okrtracker refuses them.

The dev login form of the provider accepts any login; the account's claims come from a JSON
file read at each sign-in, so a test changes someone's groups between two sign-ins."""

import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from lxml import html

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_ID = "okrtracker"
CLIENT_SECRET = "test-client-secret-0123456789abcdef0123456789"
OTHER_CLIENT_ID = "another-app"
CALLBACK = "http://testserver/oidc/callback/"
AFTER_LOGOUT = "http://testserver/accounts/login/"


def node_modules_ready() -> None:
    """Install the provider's pinned packages (package-lock.json) once per checkout."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the SSO tests' OpenID provider.")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        check=True,
        timeout=300,
    )


@dataclass
class Provider:
    issuer: str
    key: rsa.RSAPrivateKey
    kid: str
    accounts_file: Path
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def set_account(self, login: str, **claims) -> None:
        self.accounts[login] = claims
        self.accounts_file.write_text(json.dumps(self.accounts))

    def mint_id_token(self, **overrides) -> str:
        """An ID token signed with the provider's own key (what its JWKS publishes)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "alice",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": "n-0",
            **overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def sign_in_at_provider(self, authorization_url: str, login: str) -> str:
        """Play the browser at the provider: open the authorization URL, fill its login
        form, follow its redirects until it sends the browser back to okrtracker; returns
        that callback URL (with code and state)."""
        browser = requests.Session()
        response = browser.get(authorization_url, allow_redirects=False, timeout=10)
        for _ in range(10):
            location = response.headers.get("Location")
            if location and location.startswith(CALLBACK):
                return location
            if location:
                response = browser.get(
                    urljoin(response.url, location), allow_redirects=False, timeout=10
                )
                continue
            page = html.fromstring(response.text)
            forms = page.forms
            assert forms, f"The provider showed no form: {response.text[:500]}"
            form = forms[0]
            fields = dict(form.fields)
            if "login" in fields:
                fields.update(login=login, password="any")
            response = browser.post(
                urljoin(response.url, form.action), data=fields, allow_redirects=False, timeout=10
            )
        raise AssertionError("The provider never sent the browser back to okrtracker.")


def provider_start(tmp_path: Path) -> Provider:
    node_modules_ready()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex[:12]
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    jwk.update(kid=kid, use="sig", alg="RS256")
    accounts_file = tmp_path / "accounts.json"
    accounts_file.write_text("{}")
    client = {
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": [AFTER_LOGOUT],
        "token_endpoint_auth_method": "client_secret_post",
    }
    config = {
        "clients": [
            {"client_id": CLIENT_ID, **client},
            {"client_id": OTHER_CLIENT_ID, **client},
        ],
        "accountsFile": str(accounts_file),
        "jwks": {"keys": [jwk]},
    }
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=PROVIDER_DIR,
        env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    if not line.startswith("listening "):
        process.kill()
        raise RuntimeError(f"The OpenID provider did not start: {line} {process.stderr.read()}")
    return Provider(
        issuer=line.split(" ", 1)[1],
        key=key,
        kid=kid,
        accounts_file=accounts_file,
        process=process,
    )


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
