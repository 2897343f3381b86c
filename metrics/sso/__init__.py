"""Single sign-on through the organisation's OpenID Connect provider (mozilla-django-oidc).

- `config.py`: whether SSO and password sign-in are on, the group-to-role mapping.
- `discovery.py`: the provider's endpoints, read from its discovery document.
- `backend.py`: the authentication backend (code flow with PKCE, the ID token's signature,
  audience, issuer, expiry and nonce checked), which hands the verified claims to
  `metrics.services.sso.sso_user_sign_in` (the one write: create, link, roles).
- `views.py`: "Sign in with <provider>", the callback, sign-out through the provider.
"""
