"""The one user who consents in the sandbox, and the profile the userinfo endpoint gives out.

Keys are Intuit's camelCase ones (emailVerified, givenName …), not OpenID's snake_case.
"""

from sandbox.entities.payload import JsonDict

SANDBOX_USER_SUB = "3f1b6c2e-8d4a-4b7e-9a51-0c2d7e6f9b10"
_PROFILE: JsonDict = {"givenName": "Sandbox", "familyName": "User"}
_EMAIL: JsonDict = {"email": "sandbox.user@example.com", "emailVerified": True}
_PHONE: JsonDict = {"phoneNumber": "+1 6505550100", "phoneNumberVerified": False}
_ADDRESS: JsonDict = {
    "address": {
        "streetAddress": "2700 Coast Avenue",
        "locality": "Mountain View",
        "region": "CA",
        "postalCode": "94043",
        "country": "US",
    }
}
_BY_SCOPE = {"profile": _PROFILE, "email": _EMAIL, "phone": _PHONE, "address": _ADDRESS}


def user_profile(scopes: frozenset[str]) -> JsonDict:
    """Return `sub` and the claims each granted OpenID scope adds."""
    profile: JsonDict = {"sub": SANDBOX_USER_SUB}
    for scope, claims in _BY_SCOPE.items():
        if scope in scopes:
            profile.update(claims)
    return profile
