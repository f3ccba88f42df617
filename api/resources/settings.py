"""The firm's sync settings (SPEC §2.7)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.schemas import AnswerSchema, ApiParser, StrictBoolean, StrictSchema
from core.domain.settings import FirmSettings, FirstSyncScope
from core.services import settings as settings_service

blp = Blueprint(
    "settings", __name__, url_prefix="/v1/settings", description="The firm's sync settings"
)
blp.ARGUMENTS_PARSER = ApiParser()  # strict, and refuses text the store cannot hold
blp.before_request(require_api_key)


class SettingsSchema(AnswerSchema):
    auto_sync_new_accounts = fields.Boolean(
        metadata={"description": "Sync a new account as soon as the firm's system sends it"}
    )
    default_customer_type = fields.String(
        metadata={"description": "The QBO customer type a created customer gets, if QBO has it"}
    )
    sync_invoices_from = fields.Date(
        allow_none=True, metadata={"description": "Invoices dated before this are not pushed"}
    )
    sync_manual_payments = fields.Boolean(
        metadata={"description": "Push payments recorded by hand, unless a payment says"}
    )
    first_sync_scope = fields.Enum(
        FirstSyncScope,
        by_value=True,
        metadata={"description": "Which accounts a first sync takes: all, or with_activity"},
    )
    updated_at = fields.DateTime(allow_none=True)


class SettingsPatchSchema(StrictSchema):
    """The settings to change; the others keep their values."""

    auto_sync_new_accounts = StrictBoolean()
    default_customer_type = fields.String(validate=validate.Length(min=1, max=100))
    sync_invoices_from = fields.Date(allow_none=True)
    sync_manual_payments = StrictBoolean()
    first_sync_scope = fields.Enum(FirstSyncScope, by_value=True)

    @validates("default_customer_type")
    def type_name_is_usable(self, value: str, **_: Any) -> None:
        if value != value.strip() or not value.strip():
            raise ValidationError("Give the customer type's name without surrounding spaces.")
        if any(char in value for char in ":\t\r\n"):
            raise ValidationError("A QBO name cannot hold a colon, tab or line break.")


@blp.route("")
class Settings(MethodView):
    @blp.response(200, SettingsSchema)
    def get(self) -> FirmSettings:
        """Show the firm's sync settings"""
        return settings_service.firm_settings(app_context().services.uow(), current_firm_id())

    @blp.arguments(SettingsPatchSchema)
    @blp.response(200, SettingsSchema)
    def patch(self, changes: dict[str, Any]) -> FirmSettings:
        """Change some of the firm's sync settings"""
        services = app_context().services
        return settings_service.change_settings(
            services.uow(), current_firm_id(), changes, services.clock()
        )
