"""Intuit's OpenID discovery document and JWKS, pointing at the sandbox's own endpoints.

Some OAuth clients read the discovery document when they are built, so it must name this
host's endpoints; they are built from the URL the request came to.
"""

from sandbox.entities.payload import JsonDict
from sandbox.oauth.rsa import RsaKey

ISSUER_PATH = "/op/v1"
JWKS_PATH = "/op/v1/jwks"
AUTHORIZE_PATH = "/connect/oauth2"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"
USERINFO_PATH = "/v1/openid_connect/userinfo"
DISCOVERY_PATHS = (
    "/.well-known/openid_configuration",
    "/.well-known/openid_sandbox_configuration",
)


def discovery_document(base: str) -> JsonDict:
    """Return the document Intuit serves, with every endpoint under `base` (no trailing slash)."""
    return {
        "issuer": base + ISSUER_PATH,
        "authorization_endpoint": base + AUTHORIZE_PATH,
        "token_endpoint": base + TOKEN_PATH,
        "userinfo_endpoint": base + USERINFO_PATH,
        "revocation_endpoint": base + REVOKE_PATH,
        "jwks_uri": base + JWKS_PATH,
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


def jwks(key: RsaKey) -> JsonDict:
    """Return the JSON Web Key Set that ID-token signatures check against."""
    return {"keys": [key.public_jwk()]}
