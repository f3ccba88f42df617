"""The HTTP servers `SandboxServer` runs the app on: werkzeug's threaded server or waitress.

werkzeug's development server (the default) starts a thread per connection and closes every
connection after one answer. waitress keeps connections alive and serves from a fixed pool of
threads; on a 2-core machine it answered about 1.7 times as many requests a second
(bench/README.md), so benchmarks that push hard use it (`--server waitress`).

Both drop a connection without an answer when fault injection asks (`sandbox.control.dropping`):
werkzeug through the socket it puts in the environ, waitress through its own ClientDisconnected,
which closes the connection quietly once nothing more is to be sent.
"""

import socket
import threading
from typing import TYPE_CHECKING, NoReturn, Protocol

from waitress import wasyncore
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.server import BaseWSGIServer as WaitressServer
from waitress.server import create_server
from waitress.task import WSGITask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.control.dropping import DROP_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

SERVERS = ("werkzeug", "waitress")
_POLL_SECONDS = 0.05  # how soon the waitress loop sees `stop`, as werkzeug's poll interval
WAITRESS_THREADS = 16  # more than QBO's 10 in flight, so a client can go past them and see 429


class Backend(Protocol):
    """A bound HTTP server that serves until stopped."""

    @property
    def port(self) -> int:
        """The port it listens on."""

    def serve(self) -> None:
        """Serve until `stop` is called."""

    def stop(self) -> None:
        """Make `serve` return soon (from another thread)."""

    def close(self) -> None:
        """Release what is left once `serve` has returned."""


def bind(
    server: str, app: "WSGIApplication", host: str, port: int, *, log_requests: bool
) -> Backend:
    """Bind `app` to host:port on the server named `server`; listening once this returns."""
    if server == "werkzeug":
        return WerkzeugBackend(app, host, port, log_requests)
    if server == "waitress":
        return WaitressBackend(app, host, port)
    raise ValueError(f"server must be one of {SERVERS}, not {server!r}")


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class WerkzeugBackend:
    """werkzeug's threaded development server."""

    def __init__(self, app: "WSGIApplication", host: str, port: int, log_requests: bool) -> None:
        handler = WSGIRequestHandler if log_requests else _QuietRequestHandler
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=handler
        )

    @property
    def port(self) -> int:
        return self._server.server_port

    def serve(self) -> None:
        # A short poll interval keeps stop() quick: shutdown() waits for the next poll.
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self._server.shutdown()

    def close(self) -> None:
        self._server.server_close()


def _client_disconnected() -> NoReturn:
    raise ClientDisconnected("the QBO sandbox dropped the connection on purpose")


class _DroppingTask(WSGITask):
    """waitress's task, with the way to drop its connection in the environ."""

    def get_environment(self) -> "WSGIEnvironment":
        environ = super().get_environment()
        environ[DROP_KEY] = _client_disconnected
        return environ


class _DroppingChannel(HTTPChannel):
    task_class = _DroppingTask


class WaitressBackend:
    """waitress on one listening socket, with a thread pool of WAITRESS_THREADS."""

    def __init__(self, app: "WSGIApplication", host: str, port: int) -> None:
        listener = socket.create_server((host, port), family=_family(host), backlog=1024)
        self._port: int = listener.getsockname()[1]
        self._map: dict[int, socket.socket] = {}
        server = create_server(
            app, map=self._map, sockets=[listener], threads=WAITRESS_THREADS, ident="qbo-sandbox"
        )
        if not isinstance(server, WaitressServer):
            raise RuntimeError("waitress made more than one server for one socket")
        server.channel_class = _DroppingChannel
        self._server = server
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return self._port

    def serve(self) -> None:
        # waitress's own run() loops until its map is empty; this loop also ends on `stop`, so
        # the sockets are closed only once it has ended, from the stopping thread, and no other
        # thread ever touches the loop's sockets or trigger pipe while it runs.
        while not self._stopping.is_set() and self._map:
            wasyncore.poll(_POLL_SECONDS, self._map)

    def stop(self) -> None:
        self._stopping.set()

    def close(self) -> None:
        wasyncore.close_all(self._map)
        # Let the threads still answering finish (fault waits end early when stopping).
        self._server.task_dispatcher.shutdown(timeout=2)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
