"""The firm's API keys: more than one at once, so that one can be replaced without a gap."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.schemas import AnswerSchema
from core.services import firms as firm_service

blp = Blueprint(
    "api_keys",
    __name__,
    url_prefix="/v1/api-keys",
    description="The firm's API keys: several at once, so that one can be replaced without a gap",
)
blp.before_request(require_api_key)


class ApiKeySchema(AnswerSchema):
    id = fields.Integer()
    prefix = fields.String(metadata={"description": "The key's first characters, to tell it"})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True, metadata={"description": "None while active"})


class NewApiKeySchema(ApiKeySchema):
    key = fields.String(metadata={"description": "The key itself: shown only in this answer"})


@blp.route("")
class ApiKeys(MethodView):
    @blp.response(200, ApiKeySchema(many=True))
    def get(self) -> Any:
        """List the firm's API keys (by prefix), revoked ones included"""
        return firm_service.api_keys_of(app_context().services.uow(), current_firm_id())

    @blp.response(201, NewApiKeySchema)
    def post(self) -> Any:
        """Make one more API key for the firm; the answer is the only time it is shown"""
        services = app_context().services
        stored, key = firm_service.issue_api_key(
            services.uow(), current_firm_id(), services.clock()
        )
        return {**vars(stored), "key": key}


# Key ids are SQL integers: a larger number names no key (404), never an overflow (500).
@blp.route("/<int(min=1, max=2147483647):key_id>")
class ApiKey(MethodView):
    @blp.response(200, ApiKeySchema)
    def delete(self, key_id: int) -> Any:
        """Revoke one of the firm's API keys: it is refused from its next request on"""
        services = app_context().services
        return firm_service.revoke_api_key(
            services.uow(), current_firm_id(), key_id, services.clock()
        )
