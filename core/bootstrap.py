"""The one wiring function: what the API, the worker and the CLI run on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from core.adapters.crypto import FernetVault
from core.adapters.db.unit_of_work import (
    SqlUnitOfWork,
    create_db_engine,
    read_session_factory,
    session_factory,
)
from core.adapters.event_sender import HttpStatusEventSender
from core.adapters.gate import (
    MemoryRealmGate,
    RealmGate,
    RealmLimits,
    RedisRealmGate,
    UnpacedGate,
)
from core.adapters.metrics import MemoryMetrics, MetricStore
from core.adapters.metrics_redis import RedisMetrics, metrics_client
from core.adapters.qbo.client import HttpQboClients
from core.adapters.qbo.oauth import AuthlibOAuthProvider
from core.config import Settings
from core.ports import OAuthProvider, QboConnector, RealmBudget, StatusEventSender, TokenVault
from core.services.customers import CustomerDirectory
from core.services.lane_runs import LaneRuns
from core.services.sync_account_lane import LANE_RUNS
from core.services.tokens import TokenKeeper, TokenKeepingConnector


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """The process's long-lived parts; `uow()` makes a fresh unit of work per request or job."""

    settings: Settings
    engine: sa.Engine
    sessions: sessionmaker[Session]
    qbo: QboConnector
    vault: TokenVault
    oauth: OAuthProvider
    clock: Callable[[], datetime]
    customers: CustomerDirectory  # companies' customer lists, kept briefly between requests
    events: StatusEventSender  # POSTs status events to the firms' own systems
    budget: RealmBudget  # each company's room in QBO's minute, as the gate sees it
    lane_runs: LaneRuns  # the lane runs this process has at work
    read_sessions: sessionmaker[Session]
    metrics: MetricStore  # counters every process adds to and the API's /metrics reads

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions)

    def reader(self) -> SqlUnitOfWork:
        """A unit of work for services that only read: its statements run without a
        transaction around them, and a flush or commit raises."""
        return SqlUnitOfWork(self.read_sessions, read_only=True)

    def database_ok(self) -> bool:
        """Whether the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True


def realm_gate(settings: Settings, metrics: MetricStore) -> RealmGate:
    """QBO's per-company limits: shared through Redis, or in memory for one process."""
    if not settings.qbo_pacing:
        return UnpacedGate()
    if settings.redis_url:
        client = Redis.from_url(settings.redis_url)
        return RedisRealmGate(client, RealmLimits(), settings.redis_namespace, metrics=metrics)
    return MemoryRealmGate(RealmLimits(), metrics=metrics)


def metric_store(settings: Settings) -> MetricStore:
    """Counters shared by every process through Redis, or kept in memory for one process."""
    if settings.redis_url:
        return RedisMetrics(metrics_client(settings.redis_url), settings.redis_namespace)
    return MemoryMetrics()


def build_services(
    settings: Settings,
    *,
    qbo: QboConnector | None = None,
    oauth: OAuthProvider | None = None,
    clock: Callable[[], datetime] = utc_now,
    events: StatusEventSender | None = None,
    customer_cache_seconds: float | None = None,
) -> Services:
    """Wire the services for `settings`; tests override the edges they do not own.

    `customer_cache_seconds` replaces the API's time for keeping customer lists (a worker
    keeps them longer: Settings.sync_customer_cache_seconds).
    """
    engine = create_db_engine(settings.database_url)
    sessions = session_factory(engine)
    vault = FernetVault(settings.encryption_keys)
    oauth = oauth or AuthlibOAuthProvider(
        settings.qbo_client_id,
        settings.qbo_client_secret,
        settings.qbo_redirect_uri,
        settings.qbo_discovery_url,
        settings.qbo_timeout_seconds,
    )
    metrics = metric_store(settings)
    gate = realm_gate(settings, metrics)
    if qbo is None:
        keeper = TokenKeeper(lambda: SqlUnitOfWork(sessions), vault, oauth, clock)
        clients = HttpQboClients(gate, settings.qbo_timeout_seconds, metrics=metrics)
        qbo = TokenKeepingConnector(keeper, clients)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        qbo=qbo,
        vault=vault,
        oauth=oauth,
        clock=clock,
        customers=CustomerDirectory(customer_cache_seconds or settings.customer_cache_seconds),
        events=events or HttpStatusEventSender(),
        budget=gate,
        lane_runs=LaneRuns(LANE_RUNS),
        read_sessions=read_session_factory(engine),
        metrics=metrics,
    )
