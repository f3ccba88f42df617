"""The process's one TLS context for its HTTPS clients."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Verifying servers against the CA bundle httpx uses, made once a process: loading the
    bundle takes about 25 ms, and each httpx client loaded its own (three a build_services,
    which the tests call for every test)."""
    return httpx.create_ssl_context()
