"""Where the firm's own system hears of status changes: signed events, at least once."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.openapi import answers
from api.schemas import AnswerSchema, ApiParser, StrictSchema
from core.services import status_events as status_event_service

blp = Blueprint(
    "status_events",
    __name__,
    url_prefix="/v1/status-events",
    description="Signed status-change events sent to the firm's own system",
)
blp.ARGUMENTS_PARSER = ApiParser()  # strict, and refuses text the store cannot hold
blp.before_request(require_api_key)


class SubscriptionInSchema(StrictSchema):
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
        metadata={"description": "Where the events are POSTed"},
    )
    secret = fields.String(
        validate=validate.Length(min=16, max=200),
        metadata={
            "description": "Signs the events (HMAC-SHA256). Left out: a new subscription gets "
            "a generated one, shown once; a replaced one keeps its own"
        },
    )


class DeliveryErrorSchema(AnswerSchema):
    message = fields.String(metadata={"description": "What went wrong"})
    http_status = fields.Integer(
        allow_none=True, metadata={"description": "The receiver's status; none for a timeout"}
    )
    detail = fields.String(allow_none=True, metadata={"description": "The answer's start"})


class SubscriptionSchema(AnswerSchema):
    sometimes_left_out = frozenset({"secret"})  # only in the answer that generated it

    url = fields.String()
    delivered_through = fields.Integer(
        metadata={"description": "How far delivery has come: the last event id's number"}
    )
    attempts = fields.Integer(metadata={"description": "Failed deliveries since the last one"})
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.Nested(DeliveryErrorSchema, allow_none=True)
    last_delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    secret = fields.String(
        metadata={"description": "Only in the answer that created it without a secret: keep it"}
    )


def subscription_body(subscribed: status_event_service.Subscribed) -> Any:
    """The subscription as the API shows it; its secret only when qbsync just generated it.

    The schema names what is shown: the sealed secret is never among it.
    """
    if subscribed.generated_secret is None:
        return subscribed.subscription
    return {**vars(subscribed.subscription), "secret": subscribed.generated_secret}


@blp.route("")
class StatusEvents(MethodView):
    @blp.response(200, SubscriptionSchema)
    @answers(404)  # no subscription
    def get(self) -> Any:
        """Show where status events go, and how their delivery is going"""
        return status_event_service.status_event_subscription(
            app_context().services.uow(), current_firm_id()
        )

    @blp.arguments(SubscriptionInSchema)
    @blp.response(200, SubscriptionSchema, description="The subscription was replaced")
    @blp.alt_response(201, schema=SubscriptionSchema, description="The subscription was created")
    def put(self, body: dict[str, Any]) -> Any:
        """Send status events to this URL, signed with this secret"""
        services = app_context().services
        subscribed = status_event_service.subscribe(
            services.uow(),
            services.vault,
            current_firm_id(),
            body["url"],
            body.get("secret"),
            services.clock(),
        )
        return subscription_body(subscribed), 201 if subscribed.created else 200

    @blp.response(204)
    def delete(self) -> None:
        """Stop sending status events"""
        status_event_service.unsubscribe(app_context().services.uow(), current_firm_id())
