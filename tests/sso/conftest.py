import os
import shutil

import pytest

from metrics.sso.discovery import provider_metadata_forget
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET, provider_start


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    if shutil.which("node") is None:
        # CI has Node.js (the machine's); elsewhere say why rather than fail obscurely.
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is needed for the SSO tests' OpenID provider.")
        pytest.skip("Node.js is needed for the SSO tests' OpenID provider.")
    running = provider_start(tmp_path_factory.mktemp("oidc"))
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider):
    """okrtracker configured for the test provider, as a deployment's environment would."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    settings.OIDC_GROUP_MAP = (
        "okr-admins=admin,okr-facilitators=facilitator,okr-exec=executive,"
        "okr-product=lead:product,okr-legal=lead:legal"
    )
    provider_metadata_forget()
    yield provider
    provider_metadata_forget()
