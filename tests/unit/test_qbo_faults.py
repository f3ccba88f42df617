"""Every fault shape QBO sends is classified once: retry may help, or it will not."""

import json
from pathlib import Path

import httpx
import pytest

from core.adapters.qbo.faults import error_from_response
from core.errors import QboAuthenticationError, QboFaultError, QboTransientError

SAMPLES = Path(__file__).parents[1] / "fixtures" / "qbo_samples"


def answer(status: int, sample: str, content_type: str) -> tuple[httpx.Response, object]:
    text = (SAMPLES / sample).read_text()
    response = httpx.Response(
        status, text=text, headers={"content-type": content_type, "intuit_tid": "tid-123"}
    )
    body = json.loads(text) if "json" in content_type else None
    return response, body


def test_a_duplicate_name_is_a_permanent_fault_with_qbo_code_and_trace_id() -> None:
    error = error_from_response(*answer(400, "fault_duplicate_name.json", "application/json"))
    assert type(error) is QboFaultError
    assert error.code == "6240"
    assert error.message == "Duplicate Name Exists Error"
    assert "already using this name" in (error.detail or "")
    assert error.intuit_tid == "tid-123"
    assert error.as_record()["retryable"] is False


def test_the_xml_throttle_answer_is_transient() -> None:
    error = error_from_response(*answer(429, "fault_throttled.xml", "application/xml"))
    assert isinstance(error, QboTransientError)
    assert error.code == "3001"
    assert "Try again later" in (error.detail or "")


def test_a_system_fault_is_transient() -> None:
    error = error_from_response(*answer(500, "fault_system.json", "application/json"))
    assert isinstance(error, QboTransientError)
    assert error.code == "10000"


@pytest.mark.parametrize(
    ("sample", "content_type", "code"),
    [
        ("fault_authentication.json", "application/json", "3200"),
        ("fault_authentication.xml", "application/xml", "100"),
    ],
)
def test_both_401_shapes_ask_for_a_reconnect(sample: str, content_type: str, code: str) -> None:
    error = error_from_response(*answer(401, sample, content_type))
    assert isinstance(error, QboAuthenticationError)
    assert error.code == code
    assert "reconnect" in error.message


def test_a_fault_inside_a_200_is_still_a_fault() -> None:
    error = error_from_response(*answer(200, "fault_stale_object.json", "application/json"))
    assert isinstance(error, QboFaultError)
    assert error.code == "5010"


def test_an_unreadable_body_still_names_the_http_status() -> None:
    error = error_from_response(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert isinstance(error, QboTransientError)
    assert "502" in error.message
