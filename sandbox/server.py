"""Serve the sandbox over real HTTP from a background thread (for tests and embedding)."""

from threading import Thread
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.app import create_app
from sandbox.state import SandboxState


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class SandboxServer:
    """The sandbox app on a werkzeug threaded server, in a daemon thread.

    `port=0` picks a free port; `url` gives the one bound. Use as a context manager, or call
    `start()` and `stop()`.
    """

    def __init__(
        self,
        state: SandboxState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_requests: bool = False,
    ) -> None:
        self.state = state if state is not None else SandboxState()
        self.host = host
        self.port = port
        self._log_requests = log_requests
        self._server: BaseWSGIServer | None = None
        self._thread: Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:54321 (only once started)."""
        if self._server is None:
            raise RuntimeError("the sandbox server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_port}"

    def start(self) -> None:
        """Bind and start serving; returns once the socket is listening."""
        if self._server is not None:
            raise RuntimeError("the sandbox server is already started")
        handler = WSGIRequestHandler if self._log_requests else _QuietRequestHandler
        # make_server binds and listens before it returns, so callers may connect at once.
        self._server = make_server(
            self.host, self.port, create_app(self.state), threaded=True, request_handler=handler
        )
        # A short poll interval keeps stop() quick: shutdown() waits for the next poll.
        self._thread = Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="qbo-sandbox",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; a stopped server can be started again."""
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> "SandboxServer":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
