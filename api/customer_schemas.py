"""Schemas of the QBO customer list and of an account's link candidates."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas import AnswerSchema, PageArgsSchema
from core.domain.matching import MatchReason


class QboCustomerSchema(AnswerSchema):
    id = fields.String(metadata={"description": "The QBO customer Id, to link an account to"})
    display_name = fields.String()
    active = fields.Boolean(metadata={"description": "False when deleted (made inactive) in QBO"})
    email = fields.String(allow_none=True)


class CustomerListArgsSchema(PageArgsSchema):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "Only customers whose display name contains this (any case)"},
    )
    include_inactive = fields.Boolean(
        load_default=False, metadata={"description": "List deleted (inactive) customers too"}
    )


class CustomerPageSchema(AnswerSchema):
    items = fields.List(fields.Nested(QboCustomerSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class CandidateSchema(AnswerSchema):
    customer = fields.Nested(QboCustomerSchema)
    reason = fields.Enum(
        MatchReason,
        by_value=True,
        metadata={"description": "Why it matched; only `exact` is ever linked without a person"},
    )
    explanation = fields.String(metadata={"description": "The reason, in a sentence"})


class CandidateListSchema(AnswerSchema):
    items = fields.List(fields.Nested(CandidateSchema), metadata={"description": "Best first"})
