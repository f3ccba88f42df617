"""Request and response schemas of the v1 API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from flask import Request
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import UnicodeConverter
from werkzeug.routing import ValidationError as NoRoute

from core.domain.jobs import JobKind, JobState
from core.domain.status import SyncStatus

UNSTORABLE = "Text cannot hold NUL (\\u0000) or a lone surrogate (\\ud800-\\udfff)."


def storable(text: str) -> bool:
    """Whether PostgreSQL can store `text`: no NUL, and UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_errors(data: Any) -> Any:
    """Errors by field (marshmallow's shape) for the strings in `data`, keys included, that
    cannot be stored; None when every one can."""
    if isinstance(data, str):
        return None if storable(data) else [UNSTORABLE]
    if isinstance(data, Mapping):
        if hasattr(data, "lists"):  # a query's MultiDict: an argument may come more than once
            pairs = [(k, v[0] if len(v) == 1 else v) for k, v in data.lists()]
        else:
            pairs = list(data.items())
        found = {str(k): unstorable_errors(k) or unstorable_errors(v) for k, v in pairs}
        return {key: errors for key, errors in found.items() if errors} or None
    if isinstance(data, list):
        found_in = {index: unstorable_errors(item) for index, item in enumerate(data)}
        return {index: errors for index, errors in found_in.items() if errors} or None
    return None


class ApiParser(FlaskParser):
    """webargs' Flask parser, made strict: every blueprint that parses arguments sets it
    (`blp.ARGUMENTS_PARSER`, before its views are declared, since they bind it).

    Unknown query arguments are refused as unknown body fields are (webargs' default for the
    query is to drop them); a body nested too deep for Python's JSON reader is a 400 like any
    other invalid JSON; a string PostgreSQL cannot store (`storable`) is a 422 naming its
    field, instead of a 500 from the database.
    """

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {  # noqa: RUF012 (as webargs has it)
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return super()._raw_load_json(req)  # webargs' "missing"
        try:
            return self.parse_body(req.get_data(cache=True))
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", doc="(the body)", pos=0) from None

    def parse_body(self, body: bytes) -> Any:
        return json.loads(body)

    def pre_load(
        self, location_data: Mapping[str, Any], *, schema: Schema, req: Request, location: str
    ) -> Mapping[str, Any]:
        errors = unstorable_errors(location_data)
        if errors:
            raise ValidationError(errors)
        return location_data


class StoredTextConverter(UnicodeConverter):
    """The `string` path converter, matching no segment PostgreSQL cannot store (a 404)."""

    def to_python(self, value: str) -> str:
        if not storable(value):
            raise NoRoute()
        return value


class ErrorSchema(Schema):
    """Every error answer of the API (SPEC §5); only documents it, api.errors builds it."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    status = fields.String(required=True, metadata={"description": "The HTTP status's name"})
    message = fields.String(required=True, metadata={"description": "What went wrong"})
    errors = fields.Dict(
        required=True,
        metadata={
            "description": "Which fields were refused and why, by where they were sent: "
            '`{"json": {"name": ["..."]}}`, `{"query": {...}}`; empty when no field is to blame'
        },
    )


class AnswerSchema(Schema):
    """A response body. Every field is in every answer, so the document marks each required
    (apispec reads `required`; dumping ignores it) and schemathesis checks that it is there;
    a field some answers leave out is named in `sometimes_left_out`."""

    sometimes_left_out: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name not in self.sometimes_left_out


class StrictSchema(Schema):
    """Unknown fields are refused (marshmallow's default, stated here on purpose)."""

    class Meta:
        unknown = "raise"


class StrictBoolean(fields.Boolean):
    """JSON true or false only: not "yes", 1 or "true"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class SyncErrorSchema(AnswerSchema):
    message = fields.String(metadata={"description": "What went wrong and what to do about it"})
    code = fields.String(allow_none=True, metadata={"description": "QBO's fault code, or ours"})
    detail = fields.String(allow_none=True)
    retryable = fields.Boolean(metadata={"description": "Whether a retry may help"})
    intuit_tid = fields.String(allow_none=True, metadata={"description": "QBO's trace id"})


class AccountInSchema(StrictSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "The client's name; the QBO customer display name"},
    )
    email = fields.Email(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=320),
        metadata={
            "description": "The client's e-mail address: suggests link candidates, never sent "
            "to QBO; null or left out clears it"
        },
    )

    @validates("name")
    def name_is_not_blank(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("The name must contain more than white space.")


class AccountSchema(AnswerSchema):
    external_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    status = fields.Enum(SyncStatus, by_value=True)
    error = fields.Nested(SyncErrorSchema, allow_none=True)
    qbo_customer_id = fields.String(allow_none=True)
    last_synced_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


MAX_PAGE = 1_000_000  # 200 million records at the largest page size; the offset stays an SQL int


class PageArgsSchema(StrictSchema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"From 1 (at most {MAX_PAGE})"},
    )
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class TrimmedString(fields.String):
    """A string with its surrounding white space removed before it is validated."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class AccountListArgsSchema(PageArgsSchema):
    status = fields.Enum(SyncStatus, by_value=True, load_default=None)
    q = TrimmedString(
        load_default=None,
        validate=[
            validate.Length(min=1, max=200, error="Give 1 to 200 characters, or leave q out."),
            validate.Regexp(r"\A[^\x00-\x1f\x7f]*\Z", error="q holds no control characters."),
        ],
        metadata={
            "description": "Only accounts whose name contains this text, in any case (1-200 "
            "characters once surrounding white space is removed; % and _ match themselves)"
        },
    )


class AccountPageSchema(AnswerSchema):
    items = fields.List(fields.Nested(AccountSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class SyncRequestSchema(StrictSchema):
    """Link by display name (no body), to a chosen QBO customer, or to a new one."""

    customer_id = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,32}$", error="A QBO customer Id is digits."),
        metadata={"description": "Link to this QBO customer (it must exist and be active)"},
    )
    create = fields.Boolean(metadata={"description": "Create a new QBO customer for it"})

    @validates_schema
    def one_choice(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("customer_id") is not None and data.get("create"):
            raise ValidationError("Give customer_id or create, not both.", "create")


class JobTargetSchema(AnswerSchema):
    type = fields.String()
    external_id = fields.String()


class JobSchema(AnswerSchema):
    id = fields.String()
    kind = fields.Enum(JobKind, by_value=True)
    target = fields.Nested(JobTargetSchema)
    state = fields.Enum(JobState, by_value=True)
    attempts = fields.Integer()
    last_error = fields.Nested(SyncErrorSchema, allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class HealthSchema(AnswerSchema):
    status = fields.String(metadata={"description": "ok, or unavailable"})
    database = fields.String()
    broker = fields.String()


class ConnectionSchema(AnswerSchema):
    connected = fields.Boolean(metadata={"description": "False when never connected or broken"})
    realm_id = fields.String(allow_none=True)
    connected_at = fields.DateTime(allow_none=True)
    access_expires_at = fields.DateTime(allow_none=True)
    refresh_expires_at = fields.DateTime(allow_none=True)
    hard_expires_at = fields.DateTime(
        allow_none=True, metadata={"description": "The 5-year limit: reconnect before it"}
    )
    broken_reason = fields.String(allow_none=True)
    warning = fields.String(allow_none=True, metadata={"description": "Near the 5-year limit"})


class AuthorizeSchema(AnswerSchema):
    authorization_url = fields.String()


class CallbackArgsSchema(Schema):
    state = fields.String(required=True, validate=validate.Length(max=200))
    code = fields.String(validate=validate.Length(max=512))
    realmId = fields.String(validate=validate.Length(max=32))
    error = fields.String(validate=validate.Length(max=100))
    error_description = fields.String(validate=validate.Length(max=500))


class StatusChangeSchema(AnswerSchema):
    at = fields.DateTime()
    from_status = fields.Enum(SyncStatus, by_value=True)
    to_status = fields.Enum(SyncStatus, by_value=True)
    cause = fields.String()
    job_id = fields.String(allow_none=True)
    error = fields.Nested(SyncErrorSchema, allow_none=True)


class HistorySchema(AnswerSchema):
    items = fields.List(fields.Nested(StatusChangeSchema))


class SummarySchema(AnswerSchema):
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Accounts per status; every status is named"},
    )
    total = fields.Integer()


class BulkSyncRequestSchema(StrictSchema):
    """The accounts to sync: named, or every account of one status (at most 1000 per request)."""

    external_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "Sync these accounts (at most 1000)"},
    )
    status = fields.Enum(
        SyncStatus,
        by_value=True,
        metadata={"description": "Sync the accounts of this status (the first 1000)"},
    )
    dry_run = StrictBoolean(
        load_default=False,
        metadata={"description": "Report what each account would get, and write nothing"},
    )

    @validates_schema
    def one_selection(self, data: dict[str, Any], **_: Any) -> None:
        if ("external_ids" in data) == ("status" in data):
            raise ValidationError("Give external_ids or status, one of them.", "external_ids")


class CandidateRefSchema(AnswerSchema):
    id = fields.String()
    display_name = fields.String()
    reason = fields.String(metadata={"description": "How its name is near the account's"})


class BulkItemSchema(AnswerSchema):
    external_id = fields.String()
    name = fields.String()
    outcome = fields.String(
        metadata={
            "description": "queued or already_syncing; in a dry run link, create, needs_person "
            "or already_syncing"
        }
    )
    job_id = fields.String(allow_none=True)
    customer_id = fields.String(
        allow_none=True, metadata={"description": "Dry run, link: the customer it would link to"}
    )
    error = fields.Nested(
        SyncErrorSchema,
        allow_none=True,
        metadata={"description": "Dry run, needs_person: the error the sync would record"},
    )
    candidates = fields.List(fields.Nested(CandidateRefSchema))


class BulkSyncResultSchema(AnswerSchema):
    dry_run = fields.Boolean()
    items = fields.List(fields.Nested(BulkItemSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    remaining = fields.Integer(
        metadata={"description": "Accounts of the status beyond this request: send it again"}
    )


class WebhookReceiptSchema(AnswerSchema):
    events = fields.Integer(metadata={"description": "Events in the delivery"})
    checks_queued = fields.Integer(
        metadata={"description": "Check jobs queued for Synced accounts of changed customers"}
    )


# Examples shown in the OpenAPI document (tests/api/test_openapi.py sends the requests).
_AT = "2026-03-01T10:15:02.123456+00:00"
ACCOUNT_IN_EXAMPLE = {"name": "Cool Cars", "email": "billing@coolcars.example"}
ACCOUNT_EXAMPLE = {
    "external_id": "c-1",
    "name": "Cool Cars",
    "email": "billing@coolcars.example",
    "status": "synced",
    "error": None,
    "qbo_customer_id": "3",
    "last_synced_at": _AT,
    "created_at": "2026-03-01T10:14:58.201934+00:00",
    "updated_at": _AT,
}
SYNC_REQUEST_EXAMPLE = {"customer_id": "3"}
JOB_EXAMPLE = {
    "id": "0b6c5e0e-8f1c-4a57-9a8e-1d2f3c4b5a69",
    "kind": "sync_account",
    "target": {"type": "account", "external_id": "c-1"},
    "state": "queued",
    "attempts": 0,
    "last_error": None,
    "next_attempt_at": None,
    "created_at": _AT,
    "started_at": None,
    "finished_at": None,
}
BULK_SYNC_REQUEST_EXAMPLE = {"external_ids": ["c-1", "c-2"], "dry_run": False}
BULK_SYNC_RESULT_EXAMPLE = {
    "dry_run": False,
    "items": [
        {
            "external_id": "c-1",
            "name": "Cool Cars",
            "outcome": "queued",
            "job_id": "0b6c5e0e-8f1c-4a57-9a8e-1d2f3c4b5a69",
            "customer_id": None,
            "error": None,
            "candidates": [],
        },
        {
            "external_id": "c-2",
            "name": "Amy's Bird Sanctuary",
            "outcome": "already_syncing",
            "job_id": None,
            "customer_id": None,
            "error": None,
            "candidates": [],
        },
    ],
    "counts": {"queued": 1, "already_syncing": 1},
    "remaining": 0,
}
