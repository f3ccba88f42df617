"""The embedded default: the whole system in one process, with no servers installed.

SQLite file, the in-process broker, the bundled QBO sandbox seeded with a demo company,
the API and its web page, a worker and the scheduler's sweeps, and a demo firm already
connected. The sandbox sends its signed webhooks to the API, so a customer deleted or merged
there reaches the accounts.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dramatiq
from apscheduler.schedulers.background import BackgroundScheduler
from werkzeug.serving import BaseWSGIServer, make_server

from api.app import create_app
from core.adapters.crypto import generate_key
from core.adapters.db.migrate import upgrade
from core.bootstrap import build_services
from core.config import Settings
from core.services.firms import connect_firm, create_firm
from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    seed_demo_company,
    seed_demo_oauth_client,
)
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from sandbox.webhooks.delivery import WebhookConfig
from worker.actors import declare_actors
from worker.broker import build_broker
from worker.dispatch import DramatiqDispatcher
from worker.leases import LeaseKeeper
from worker.runtime import install_services
from worker.scheduler import add_sweeps

DEMO_FIRM = "Demo Accounting LLP"


@dataclass(frozen=True)
class Embedded:
    """A running embedded system."""

    api_url: str
    api_key: str
    sandbox_url: str
    server: BaseWSGIServer

    @property
    def web_url(self) -> str:
        """The web page, where the demo API key signs in."""
        return f"{self.api_url}/app/"


@contextmanager
def embedded_system(
    database: Path, port: int, api_key: str | None, worker_threads: int = 4
) -> Iterator[Embedded]:
    """Start everything; stop it all when the block ends. The database starts empty each time,
    because the sandbox keeps its company in memory and links to a past one would dangle."""
    database.unlink(missing_ok=True)
    company = SandboxState()
    realm_id = seed_demo_company(company)
    # The API binds `port` later; the sandbox's OAuth app must know its callback first.
    callback = f"http://127.0.0.1:{port}/v1/connection/callback"
    seed_demo_oauth_client(company, [callback])
    sandbox = SandboxServer(company)
    sandbox.start()
    settings = Settings(
        database_url=f"sqlite:///{database}",
        redis_url=None,
        relay_interval_seconds=2,
        # The embedded database lives for one run, so a key of its own is enough.
        encryption_keys=(generate_key(),),
        qbo_client_id=DEMO_CLIENT_ID,
        qbo_client_secret=DEMO_CLIENT_SECRET,
        qbo_redirect_uri=callback,
        qbo_discovery_url=f"{sandbox.url}/.well-known/openid_sandbox_configuration",
        qbo_api_base_url=sandbox.url,
        qbo_webhook_verifier_token=secrets.token_urlsafe(24),
        # The web page's sessions live as long as this one process does.
        secret_key=secrets.token_urlsafe(32),
    )
    upgrade(settings.database_url)
    services = build_services(settings)
    broker = build_broker(settings)
    broker.add_middleware(LeaseKeeper())  # the embedded worker keeps its leases too
    declare_actors(broker)

    install_services(services)
    firm_id, key = create_firm(services.uow(), DEMO_FIRM, services.clock(), api_key=api_key)
    connect_firm(
        services.uow(),
        services.vault,
        firm_id,
        realm_id=realm_id,
        api_base_url=sandbox.url,
        access_token=DEMO_ACCESS_TOKEN,
        now=services.clock(),
    )
    dispatcher = DramatiqDispatcher(broker)
    consumer = dramatiq.Worker(broker, worker_threads=worker_threads)
    consumer.start()
    scheduler = BackgroundScheduler(timezone="UTC")
    add_sweeps(scheduler, services, dispatcher)
    scheduler.start()
    server = make_server("127.0.0.1", port, create_app(services, dispatcher), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    thread.start()
    api_url = f"http://127.0.0.1:{server.server_port}"
    company.configure_webhooks(
        WebhookConfig(
            targets=[f"{api_url}/v1/webhooks/quickbooks"],
            verifier_token=settings.qbo_webhook_verifier_token,
        )
    )
    try:
        yield Embedded(
            api_url=api_url,
            api_key=key,
            sandbox_url=sandbox.url,
            server=server,
        )
    finally:
        company.configure_webhooks(None)
        server.shutdown()
        scheduler.shutdown(wait=False)
        consumer.stop(timeout=5_000)
        sandbox.stop()
        install_services(None)
        services.engine.dispose()
