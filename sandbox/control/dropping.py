"""Closing a client's connection without an answer, as a network or a crashed server does.

Servers differ in how an app may do that, so a server may put its own way into the WSGI environ
under DROP_KEY (a callable that raises). Otherwise werkzeug's server hands the app its socket
as `werkzeug.socket`: shutting it down sends the client a FIN, and `ConnectionDropped` (a
ConnectionError) makes werkzeug treat the request as one whose client went away, quietly and
without writing an answer. Without a socket (Flask's test client) the exception reaches the
caller, which is what a dropped connection looks like in-process.
"""

import socket
from contextlib import suppress
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

DROP_KEY = "sandbox.drop_connection"


class ConnectionDropped(ConnectionAbortedError):
    """The sandbox closed the connection on purpose, without an answer."""


def drop_connection(environ: "WSGIEnvironment", *, body_unread: bool) -> NoReturn:
    """Close the request's connection without an answer; never returns.

    `body_unread` says the app has not read the request body (a drop before the call runs).
    """
    server_drop = environ.get(DROP_KEY)
    if callable(server_drop):
        server_drop()
    connection = environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        if body_unread:
            # Read the body first, or werkzeug would take it for the next request on the line.
            _drain(environ)
        # Shut down, not close: werkzeug still owns the socket and closes it itself.
        with suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
    raise ConnectionDropped("the QBO sandbox dropped the connection on purpose")


def _drain(environ: "WSGIEnvironment") -> None:
    """Read the rest of the request body, if its length is known."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    with suppress(OSError, ValueError):
        environ["wsgi.input"].read(length)
