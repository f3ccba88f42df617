"""QBO webhooks: Intuit's change notifications, verified over the raw body, then queued.

No API key: the `intuit-signature` header (HMAC-SHA256 of the raw body, keyed with the app's
verifier token) is checked before the body is read at all (SPEC §7). The answer comes as soon
as the check jobs are recorded: QBO wants one within 3 seconds and no QBO call is made here.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest, Unauthorized

from api.context import app_context
from api.openapi import SIGNATURE_REFUSED, answers
from api.schemas import WebhookReceiptSchema
from core.adapters.qbo.webhook_parsing import parse_webhook
from core.domain.qbo import QboWebhookEvent
from core.domain.webhooks import signature_is_valid
from core.errors import ConfigurationError, QboPayloadError
from core.services.qbo_changes import record_webhook_events

SIGNATURE_HEADER = "intuit-signature"

blp = Blueprint(
    "webhooks", __name__, url_prefix="/v1/webhooks", description="QuickBooks Online webhooks"
)

_BODY_DOC = {
    "required": True,
    "description": 'A CloudEvents array, or the legacy `{"eventNotifications": [...]}` object',
    "content": {"application/json": {"schema": {"oneOf": [{"type": "array"}, {"type": "object"}]}}},
}
_SIGNATURE_DOC = {
    "in": "header",
    "name": SIGNATURE_HEADER,
    "required": True,
    "description": "Base64 HMAC-SHA256 of the raw body, keyed with the app's verifier token",
    "schema": {"type": "string"},
}


@blp.route("/quickbooks")
class QuickBooksWebhook(MethodView):
    @blp.doc(requestBody=_BODY_DOC, parameters=[_SIGNATURE_DOC])
    @blp.response(200, WebhookReceiptSchema)
    @blp.alt_response(401, response=SIGNATURE_REFUSED)
    @answers(503)  # QBO_WEBHOOK_VERIFIER_TOKEN is not set
    def post(self) -> dict[str, Any]:
        """Receive QBO's change notifications, signed with the app's verifier token"""
        context = app_context()
        token = context.services.settings.qbo_webhook_verifier_token
        if not token:
            raise ConfigurationError(
                "QBO_WEBHOOK_VERIFIER_TOKEN is not set, so QuickBooks webhooks cannot be verified."
            )
        body = request.get_data(cache=False)
        if not signature_is_valid(body, request.headers.get(SIGNATURE_HEADER), token):
            raise Unauthorized(
                f"The {SIGNATURE_HEADER} header is missing or does not sign the body."
            )
        events = _events(body)
        services = context.services
        queued = record_webhook_events(services.uow(), context.dispatcher, events, services.clock())
        return {"events": len(events), "checks_queued": queued}


def _events(body: bytes) -> list[QboWebhookEvent]:
    try:
        return parse_webhook(json.loads(body))
    except (ValueError, RecursionError, QboPayloadError) as exc:
        raise BadRequest(f"The body is not a QuickBooks webhook notification: {exc}") from exc
