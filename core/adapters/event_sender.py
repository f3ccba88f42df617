"""Status events POSTed to a firm's own system over httpx (the StatusEventSender port).

Only a 2xx answer counts as delivered. Everything else — another status (redirects are not
followed), a timeout, a refused or reset connection — is classified here, once, as an
EventDeliveryError carrying what the firm needs to fix its receiver.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from core.adapters.tls import tls_context
from core.errors import EventDeliveryError

# Each of connecting, sending and waiting for the answer may take this long (SPEC: 10 s).
TIMEOUT_SECONDS = 10.0
# How much of a refusing receiver's answer is kept to show the firm.
DETAIL_BYTES = 200


class HttpStatusEventSender:
    """POSTs signed event bodies over one pooled httpx client, shared by the worker's threads."""

    def __init__(
        self,
        timeout_seconds: float = TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._timeout = timeout_seconds
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
            verify=tls_context(),
            headers={"User-Agent": "qbsync-status-events"},
        )

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST `body`; return on 2xx, else raise EventDeliveryError saying what happened."""
        try:
            with self._http.stream("POST", url, content=body, headers=dict(headers)) as answer:
                if answer.is_success:
                    return
                raise EventDeliveryError(
                    f"the receiver answered HTTP {answer.status_code}",
                    http_status=answer.status_code,
                    detail=_start_of(answer) or None,
                )
        except httpx.TimeoutException as exc:
            raise EventDeliveryError(
                f"the receiver did not answer within {self._timeout:g} s ({type(exc).__name__})"
            ) from exc
        except httpx.HTTPError as exc:
            raise EventDeliveryError(
                f"the receiver could not be reached ({type(exc).__name__})"
            ) from exc

    def close(self) -> None:
        self._http.close()


def _start_of(answer: httpx.Response) -> str:
    """The first bytes of a refusal's body, as text: enough to tell what went wrong."""
    start = b""
    try:
        for chunk in answer.iter_bytes():
            start += chunk
            if len(start) >= DETAIL_BYTES:
                break
    except httpx.HTTPError:
        pass  # the status says enough; the body was a courtesy
    return start[:DETAIL_BYTES].decode("utf-8", errors="replace").strip()
