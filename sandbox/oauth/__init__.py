"""OAuth 2.0 and OpenID Connect as Intuit runs them, served on the sandbox's one host.

`views` is the blueprint (authorize, token, revoke, userinfo, JWKS, discovery); `store` keeps
apps, codes and tokens; the rest are its parts. The facts followed are shared/qbo/README.md,
"OAuth 2.0" and "Faults" (401). Where they are silent or unconfirmed, the sandbox decides:

Authorize
- Consent is given at once, with no page, by the sandbox's one user (a fixed `sub`). Switch
  `consent="deny"` sends `error=access_denied&state=…` instead. The company connected is switch
  `consent_realm_id`, else the first realm; none at all gives an error page.
- An unknown client_id, or a redirect_uri not registered character for character, gets a 400
  HTML page and no redirect (RFC 6749 §4.1.2.1; Intuit shows an error page). The other refusals
  go back to the app: `unsupported_response_type`, `invalid_request` (no `state`: Intuit
  requires it), `invalid_scope` (none, an unknown one, payment without accounting, OpenID
  scopes without `openid`).
- OpenID scopes alone sign the user in: no `realmId` in the redirect, and the tokens are good
  for userinfo only. A `nonce` comes back in the ID token.
- Codes: about 45 characters (≤ 512), live 5 minutes (*unconfirmed*, no switch). The first
  exchange that presents a code uses it up, whether it succeeds or not; a second use gets
  invalid_grant, and the tokens of the first stay valid (RFC 6749 says the server SHOULD revoke
  them; Intuit documents nothing).

Token endpoint
- Clients authenticate with HTTP Basic, or with client_id and client_secret in the form,
  because Intuit's discovery document lists client_secret_post too. Anything else: 401
  `{"error":"invalid_client"}`. Refused codes and refresh tokens, and a redirect_uri other than
  the authorize call's: 400 with the captured invalid_grant body. A missing parameter gives
  400 `invalid_request`, another grant type `unsupported_grant_type` (RFC 6749 bodies; Intuit's
  are not captured).
- Answers have the keys of `token_response.json` in its order, plus `Cache-Control: no-store`.
  Without `openid` there is no `id_token` key at all (the sample shows null; the hard-expiry
  sample and Intuit's docs leave it out). With `openid`, both grants return an ID token: RS256,
  signed with a key the sandbox makes at first use (`rsa`) and publishes at /op/v1/jwks; claims
  sub, aud (a list), realmid, auth_time, iss, exp (1 h), iat, as in Intuit's samples.
- Access tokens are shaped like Intuit's (a JWE of about 950 characters) and live 3600 s; a
  refresh does not end the ones before it. They are not cut short by the five-year cap.
- Refresh tokens (AB1, expiry epoch, random) live 101 days. A refresh within 24 h of the
  newest token's issue returns that same token, its expiry unchanged (so a smaller
  `x_refresh_token_expires_in`); from 24 h on, a successor with a fresh 101 days. The replaced
  token keeps working for switch `old_refresh_grace` (24 h), and refreshing with it gets the
  chain's newest token, so a chain never forks.
- The five-year cap runs from the code exchange that started the chain: calendar years, and a
  reconnect (a new consent) starts a new one. No refresh token outlives it. The header
  `x-include-refresh-token-hard-expires-in: true` adds `x_refresh_token_hard_expires_in`.

Revoke, API, userinfo
- Revoke takes JSON `{"token":…}` or a form, with the same client authentication, and answers
  200 with an empty body. Any token of the app disconnects it from that company: every refresh
  and access token of the app there, and its unused codes, die. An unknown token, or another
  app's, changes nothing and still gets 200 (RFC 7009 §2.2). No token: 400 `invalid_request`.
- On the API, a refused token gets the gateway's 401 (switch `auth_fault`) with detail
  "Token expired: <first 4 characters>xxxxxxxx" once expired, "Token invalid" when unknown,
  revoked or another company's, and "Malformed bearer token: too short or too long" when absent.
- Userinfo answers Intuit's camelCase profile, claims by scope (profile, email, phone,
  address). A refused token gets the same 401 as the API; a valid one without `openid` gets
  403 `{"error":"insufficient_scope"}` (RFC 6750; Intuit's answer is not captured).
- Discovery documents (both names, with and without a trailing slash) have the keys of Intuit's
  and name this host's endpoints, built from the URL of the request; the issuer is
  `{base}/op/v1`, as Intuit's is `https://oauth.platform.intuit.com/op/v1`.
- Tokens given out by `SandboxState.issue_access_token` (the demo token) are valid until
  revoked unless an expiry is given.
"""
