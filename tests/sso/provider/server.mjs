// A real OpenID Provider for okrtracker's single sign-on tests, on loopback only.
// Configured by one JSON document in OIDC_TEST_CONFIG:
//   {clients: [...], accountsFile: path of {login: claims}, jwks: {keys: [private JWK]}}
// It listens on a free port of 127.0.0.1 and prints "listening <issuer>" once it accepts
// connections (the issuer carries the port, so the provider is made after the bind).
import { readFileSync } from "node:fs";
import http from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const server = http.createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.jwks,
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username", "given_name", "family_name"],
    groups: ["groups"],
  },
  // Every client must prove PKCE (S256), not only public ones.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  // Claims go into the ID token too, so the relying party needs no userinfo round trip to
  // see them (it still calls userinfo, which answers the same).
  conformIdTokenClaims: false,
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60 },
  async findAccount(ctx, id) {
    // Read at each sign-in: a test changes someone's groups between two sign-ins.
    const claims = JSON.parse(readFileSync(config.accountsFile, "utf8"))[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // The dev login form accepts any login; an unknown login gets no account.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    // Consent is implied for the test clients: grant what they ask for.
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile groups");
    grant.addOIDCClaims(["email", "email_verified", "groups", "preferred_username", "name"]);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
server.on("request", provider.callback());
console.log(`listening ${issuer}`);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
