"""Every process's log lines: one JSON object each, naming the request or the job."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from core.logs import configure_logging, job_context, request_context


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Logging configured as a process does it, into a buffer; the root logger put back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("info", stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_the_usual_fields(stream: io.StringIO) -> None:
    logging.getLogger("qbsync.test").info("linked %s accounts", 3, extra={"firm_id": 7})

    [line] = lines(stream)
    assert line["level"] == "INFO" and line["logger"] == "qbsync.test"
    assert line["message"] == "linked 3 accounts" and line["firm_id"] == 7
    assert line["timestamp"].endswith("+00:00")
    assert (line["request_id"], line["job_id"], line["job_kind"]) == (None, None, None)


def test_lines_name_the_request_and_the_job_they_were_logged_in(stream: io.StringIO) -> None:
    log = logging.getLogger("qbsync.test")
    with request_context("req-1"):
        log.warning("in the request")
    with job_context("job-1", "push_invoice"):
        log.warning("in the job")
        other = threading.Thread(target=log.warning, args=("in another thread",))
        other.start()
        other.join()
    log.warning("after both")

    by_message = {line["message"]: line for line in lines(stream)}
    assert by_message["in the request"]["request_id"] == "req-1"
    assert by_message["in the job"]["job_id"] == "job-1"
    assert by_message["in the job"]["job_kind"] == "push_invoice"
    assert by_message["in another thread"]["job_id"] is None  # contexts are per thread
    assert by_message["after both"]["request_id"] is None
    assert by_message["after both"]["job_id"] is None


def test_a_traceback_stays_inside_its_line(stream: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("qbsync.test").exception("it failed")

    [line] = lines(stream)
    assert "ValueError: boom" in line["exc_info"]


def test_configuring_again_does_not_double_lines_and_takes_the_level(
    stream: io.StringIO,
) -> None:
    configure_logging("WARNING", stream)
    logging.getLogger("qbsync.test").info("left out")
    logging.getLogger("qbsync.test").warning("kept")

    assert [line["message"] for line in lines(stream)] == ["kept"]
