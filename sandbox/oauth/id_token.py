"""OpenID Connect ID tokens as Intuit issues them: RS256 JWTs with a `realmid` claim."""

import json

from sandbox.entities.payload import JsonDict
from sandbox.oauth.records import ACCESS_LIFETIME, Issued
from sandbox.oauth.rsa import RsaKey, b64url
from sandbox.oauth.userinfo import SANDBOX_USER_SUB


def id_token_claims(issued: Issued, issuer: str) -> JsonDict:
    """Return the claims of the ID token for `issued`, in the order of Intuit's samples.

    `aud` is a list, as Intuit sends it; `realmid` appears when a company is connected; a
    `nonce` sent to the authorize endpoint comes back.
    """
    connection = issued.refresh.connection
    issued_at = int(issued.at.timestamp())
    claims: JsonDict = {"sub": SANDBOX_USER_SUB, "aud": [connection.client_id]}
    if connection.realm_id is not None:
        claims["realmid"] = connection.realm_id
    claims["auth_time"] = int(connection.connected_at.timestamp())
    claims["iss"] = issuer
    claims["exp"] = issued_at + int(ACCESS_LIFETIME.total_seconds())
    claims["iat"] = issued_at
    if issued.nonce is not None:
        claims["nonce"] = issued.nonce
    return claims


def signed_jwt(claims: JsonDict, key: RsaKey) -> str:
    """Return `claims` as a compact JWS signed with RS256 under `key`."""
    header = {"kid": key.kid, "alg": "RS256"}
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode('ascii')))}"


def _segment(value: JsonDict) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))
