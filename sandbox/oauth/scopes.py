"""OAuth scopes Intuit knows, and which combinations an authorize request may ask for."""

ACCOUNTING = "com.intuit.quickbooks.accounting"
PAYMENT = "com.intuit.quickbooks.payment"
OPENID = "openid"
# The OpenID Connect scopes: they grant the user's identity, not a company.
OPENID_SCOPES = frozenset({OPENID, "profile", "email", "phone", "address"})
KNOWN_SCOPES = OPENID_SCOPES | {ACCOUNTING, PAYMENT}


def parse_scopes(text: str) -> frozenset[str] | None:
    """Return the scopes of a space-separated `scope` parameter, or None if Intuit refuses them.

    Refused: none at all, an unknown one, company scopes without accounting, or OpenID scopes
    alone without `openid`.
    """
    scopes = frozenset(text.split())
    if not scopes or not scopes <= KNOWN_SCOPES:
        return None
    if scopes <= OPENID_SCOPES:
        return scopes if OPENID in scopes else None
    return scopes if ACCOUNTING in scopes else None


def connects_company(scopes: frozenset[str]) -> bool:
    """Tell whether `scopes` connect a company (a realm), not only sign the user in."""
    return not scopes <= OPENID_SCOPES
