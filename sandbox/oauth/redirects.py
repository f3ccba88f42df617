"""How the authorize endpoint answers: a redirect back to the app, or Intuit's error page."""

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response

_PAGE = """<!DOCTYPE html>
<html><head><title>Intuit - something went wrong</title></head>
<body><h1>Something went wrong</h1><p>{message}</p></body></html>
"""


def redirect_to(uri: str, params: list[tuple[str, str | None]]) -> Response:
    """Return a 302 to `uri` with `params` (those not None) added to its query."""
    scheme, netloc, path, query, fragment = urlsplit(uri)
    pairs = parse_qsl(query, keep_blank_values=True)
    pairs += [(name, value) for name, value in params if value is not None]
    response = Response(b"", 302)
    response.headers["Location"] = urlunsplit((scheme, netloc, path, urlencode(pairs), fragment))
    return response


def error_page(message: str) -> Response:
    """Return the page Intuit shows instead of redirecting to an app it cannot trust (400)."""
    body = _PAGE.format(message=escape(message))
    return Response(body, 400, content_type="text/html;charset=UTF-8")
