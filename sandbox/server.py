"""Serve the sandbox over real HTTP from a background thread (for tests and embedding)."""

from threading import Thread
from types import TracebackType

from flask import Flask

from sandbox.app import create_app
from sandbox.backends import Backend, bind
from sandbox.control.wiring import stop_waiting
from sandbox.state import SandboxState


class SandboxServer:
    """The sandbox app on werkzeug's threaded server (or `server="waitress"`), in a daemon thread.

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
        server: str = "werkzeug",
    ) -> None:
        self.state = state if state is not None else SandboxState()
        self.host = host
        self.port = port
        self.server = server
        self._log_requests = log_requests
        self._app: Flask | None = None
        self._backend: Backend | None = None
        self._thread: Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:54321 (only once started)."""
        if self._backend is None:
            raise RuntimeError("the sandbox server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._backend.port}"

    def start(self) -> None:
        """Bind and start serving; returns once the socket is listening."""
        if self._backend is not None:
            raise RuntimeError("the sandbox server is already started")
        self._app = create_app(self.state)
        # bind() listens before it returns, so callers may connect at once.
        self._backend = bind(
            self.server, self._app, self.host, self.port, log_requests=self._log_requests
        )
        self._thread = Thread(target=self._backend.serve, name="qbo-sandbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; a stopped server can be started again."""
        if self._backend is None or self._thread is None or self._app is None:
            return
        stop_waiting(self._app)  # hanging calls (injected timeouts, latency) end now
        self._backend.stop()
        self._thread.join()
        self._backend.close()
        self._app, self._backend, self._thread = None, None, None

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
