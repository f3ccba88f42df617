"""The firm's QuickBooks Online connection: connect through Intuit's consent, status, disconnect."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.openapi import answers, open_operation
from api.schemas import ApiParser, AuthorizeSchema, CallbackArgsSchema, ConnectionSchema
from core.services import connection as connection_service

blp = Blueprint(
    "connection",
    __name__,
    url_prefix="/v1/connection",
    description="The firm's QuickBooks Online connection: connect through Intuit, disconnect",
)
blp.ARGUMENTS_PARSER = ApiParser()  # strict, and refuses text the store cannot hold


@blp.before_request
def require_key_except_on_the_callback() -> None:
    # Intuit's redirect carries no API key: the single-use `state` names the firm instead.
    if not request.path.endswith("/callback"):
        require_api_key()


@blp.route("")
class Connection(MethodView):
    @blp.response(200, ConnectionSchema)
    def get(self) -> Any:
        """Show whether the firm is connected, to which company, and when its tokens expire"""
        services = app_context().services
        return connection_service.connection_status(
            services.uow(), current_firm_id(), services.clock()
        )

    @blp.response(204)
    @answers(409, 502)  # not connected; Intuit did not take the revocation
    def delete(self) -> None:
        """Disconnect: revoke the tokens at Intuit and erase them"""
        services = app_context().services
        connection_service.disconnect(
            services.uow(), services.vault, services.oauth, current_firm_id()
        )


@blp.route("/authorize")
class Authorize(MethodView):
    @blp.response(200, AuthorizeSchema)
    @answers(502, 503)  # Intuit's discovery document unread; the app's keys not set
    def post(self) -> dict[str, str]:
        """Start connecting: the Intuit consent URL to send the firm's admin to"""
        services = app_context().services
        url = connection_service.begin_connection(
            services.uow(), services.oauth, current_firm_id(), services.clock()
        )
        return {"authorization_url": url}


@blp.route("/callback")
class Callback(MethodView):
    @open_operation  # Intuit's redirect carries no key: the single-use `state` names the firm
    @blp.arguments(CallbackArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ConnectionSchema)
    @answers(400, 502)  # the consent was refused or its state is unknown; Intuit refused the code
    def get(self, args: dict[str, Any]) -> Any:
        """Where Intuit sends the admin back: exchange the code and store the connection"""
        services = app_context().services
        return connection_service.complete_connection(
            services.uow(),
            services.vault,
            services.oauth,
            state=args["state"],
            code=args.get("code"),
            realm_id=args.get("realmId"),
            error=args.get("error"),
            api_base_url=services.settings.qbo_api_base_url,
            now=services.clock(),
        )
