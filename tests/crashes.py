"""A worker killed at a chosen moment, as far as the job it runs can tell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.domain.records import QboConnection
from core.ports import Qbo


class WorkerKilled(BaseException):
    """A SIGKILL: nothing after it runs (a BaseException, so no `except Exception` stops it)."""


class DiesAfter:
    """A QBO connector whose worker dies right after QBO answered a call of `method`."""

    def __init__(self, connect: Callable[[QboConnection], Qbo], method: str) -> None:
        self._connect, self._method = connect, method

    def __call__(self, connection: QboConnection) -> Any:
        qbo = self._connect(connection)
        call = getattr(qbo, self._method)

        def call_then_die(*args: Any, **kwargs: Any) -> Any:
            call(*args, **kwargs)
            raise WorkerKilled()

        setattr(qbo, self._method, call_then_die)
        return qbo


class ThenRuns:
    """A QBO connector that runs `meanwhile` right after QBO answered a call of `method`,
    before the job goes on: what another worker does while this one holds the answer."""

    def __init__(
        self, connect: Callable[[QboConnection], Qbo], method: str, meanwhile: Callable[[], None]
    ) -> None:
        self._connect, self._method, self._meanwhile = connect, method, meanwhile

    def __call__(self, connection: QboConnection) -> Any:
        qbo = self._connect(connection)
        call = getattr(qbo, self._method)

        def call_then_meanwhile(*args: Any, **kwargs: Any) -> Any:
            answer = call(*args, **kwargs)
            self._meanwhile()
            return answer

        setattr(qbo, self._method, call_then_meanwhile)
        return qbo
