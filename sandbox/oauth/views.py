"""OAuth 2.0 and OpenID Connect routes, on the sandbox's one host: Intuit's paths, one blueprint.

authorize `/connect/oauth2`, token `/oauth2/v1/tokens/bearer`, revoke
`/v2/oauth2/tokens/revoke`, userinfo `/v1/openid_connect/userinfo`, JWKS `/op/v1/jwks`, and the
two discovery documents under `/.well-known/`, each with and without a trailing slash.
"""

from flask import Blueprint, Response, request

from sandbox.auth import bearer_token, refusal_detail, unauthorized
from sandbox.oauth.answers import HARD_EXPIRY_HEADER, oauth_reply, token_answer
from sandbox.oauth.clients import OAuthClient, presented_credentials
from sandbox.oauth.discovery import (
    AUTHORIZE_PATH,
    DISCOVERY_PATHS,
    ISSUER_PATH,
    JWKS_PATH,
    REVOKE_PATH,
    TOKEN_PATH,
    USERINFO_PATH,
    discovery_document,
    jwks,
)
from sandbox.oauth.errors import OAuthError, invalid_request, unsupported_grant_type
from sandbox.oauth.id_token import id_token_claims, signed_jwt
from sandbox.oauth.records import AccessStatus, Issued
from sandbox.oauth.redirects import error_page, redirect_to
from sandbox.oauth.rsa import sandbox_key
from sandbox.oauth.scopes import OPENID, connects_company, parse_scopes
from sandbox.oauth.userinfo import user_profile
from sandbox.replies import json_reply
from sandbox.views import sandbox_state

blueprint = Blueprint("oauth", __name__)


@blueprint.errorhandler(OAuthError)
def _oauth_error(error: OAuthError) -> Response:
    return oauth_reply(error.body, error.status)


@blueprint.get(AUTHORIZE_PATH)
def authorize() -> Response:
    """Intuit's consent screen, answered at once: back to the app with a code or an error."""
    state = sandbox_state()
    client = state.oauth.client(request.args.get("client_id", ""))
    redirect_uri = request.args.get("redirect_uri", "")
    # Never redirect to a URI the app did not register: show a page, as Intuit does.
    if client is None:
        return error_page("The client_id is not that of a registered app.")
    if not client.allows_redirect(redirect_uri):
        return error_page("The redirect_uri is not one of the app's redirect URIs.")
    app_state = request.args.get("state")
    scopes = parse_scopes(request.args.get("scope", ""))
    error = _refusal(app_state, scopes, state.options.consent)
    if error is not None or scopes is None:
        return redirect_to(redirect_uri, [("error", error), ("state", app_state)])
    try:
        realm_id = state.consent_realm_id() if connects_company(scopes) else None
    except KeyError as missing:
        return error_page(f"The sandbox has no company to connect: {missing.args[0]}.")
    code = state.oauth.issue_code(client, redirect_uri, realm_id, scopes, request.args.get("nonce"))
    return redirect_to(redirect_uri, [("code", code), ("state", app_state), ("realmId", realm_id)])


@blueprint.post(TOKEN_PATH)
def token() -> Response:
    """Trade an authorization code or a refresh token for tokens."""
    state = sandbox_state()
    client = _client()
    grant_type = request.form.get("grant_type", "")
    if grant_type == "authorization_code":
        code, redirect_uri = _form_value("code"), _form_value("redirect_uri")
        issued = state.oauth.exchange_code(client, code, redirect_uri)
    elif grant_type == "refresh_token":
        issued = state.oauth.refresh(client, _form_value("refresh_token"))
    elif not grant_type:
        raise invalid_request("grant_type is missing")
    else:
        raise unsupported_grant_type()
    hard_expiry = request.headers.get(HARD_EXPIRY_HEADER, "").strip().lower() == "true"
    return oauth_reply(token_answer(issued, hard_expiry=hard_expiry, id_token=_id_token(issued)))


@blueprint.post(REVOKE_PATH)
def revoke() -> Response:
    """Revoke a refresh or access token: the app is disconnected from the company."""
    state = sandbox_state()
    client = _client()
    body = request.get_json(force=True, silent=True) if not request.form else None
    token = body.get("token") if isinstance(body, dict) else request.form.get("token")
    if not isinstance(token, str) or not token:
        raise invalid_request("token is missing")
    state.oauth.revoke(client, token)
    return Response(b"", 200)


@blueprint.get(USERINFO_PATH)
def userinfo() -> Response:
    """The user's profile, as far as the token's OpenID scopes reach."""
    state = sandbox_state()
    token = bearer_token(request.headers.get("Authorization", ""))
    status = state.oauth.check_access(token) if token else AccessStatus.INVALID
    if token is None or status is not AccessStatus.VALID:
        detail = refusal_detail(token, status is AccessStatus.EXPIRED)
        return unauthorized(state.options.auth_fault, state.now(), detail)
    scopes = state.oauth.granted_scopes(token)
    if OPENID not in scopes:
        return json_reply({"error": "insufficient_scope"}, 403)
    return json_reply(user_profile(scopes))


@blueprint.get(DISCOVERY_PATHS[0])
@blueprint.get(DISCOVERY_PATHS[0] + "/")
@blueprint.get(DISCOVERY_PATHS[1])
@blueprint.get(DISCOVERY_PATHS[1] + "/")
def discovery() -> Response:
    """The OpenID discovery document, naming this host's endpoints."""
    return json_reply(discovery_document(_base_url()))


@blueprint.get(JWKS_PATH)
def json_web_keys() -> Response:
    """The keys ID tokens are signed with."""
    return json_reply(jwks(sandbox_key()))


def _refusal(app_state: str | None, scopes: frozenset[str] | None, consent: str) -> str | None:
    if request.args.get("response_type") != "code":
        return "unsupported_response_type"
    if not app_state:
        return "invalid_request"
    if scopes is None:
        return "invalid_scope"
    return "access_denied" if consent == "deny" else None


def _client() -> OAuthClient:
    credentials = presented_credentials(request.headers.get("Authorization", ""), request.form)
    return sandbox_state().oauth.authenticate(credentials)


def _form_value(name: str) -> str:
    value = request.form.get(name, "")
    if not value:
        raise invalid_request(f"{name} is missing")
    return value


def _id_token(issued: Issued) -> str | None:
    if OPENID not in issued.access.scopes:
        return None
    return signed_jwt(id_token_claims(issued, _base_url() + ISSUER_PATH), sandbox_key())


def _base_url() -> str:
    return request.host_url.rstrip("/")
