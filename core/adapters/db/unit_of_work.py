"""The SQL unit of work, and the engine it runs on."""

from __future__ import annotations

import time
from functools import partial
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from core.adapters.db import account_counts
from core.adapters.db import repositories as repos
from core.adapters.db.tables import map_records
from core.errors import ConflictError

# Seconds a pooled PostgreSQL connection may rest before it is pinged on its next use.
PING_AFTER_IDLE = 1.0
RETURNED_AT = "qbsync_returned_at"


def create_db_engine(url: str) -> sa.Engine:
    """An engine for `url`; SQLite gets the settings that let threads and processes share it."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    # Prepared statements planned for their values: psycopg prepares a statement after its
    # fifth run (sparing PostgreSQL the parse, which a worker's many small statements feel),
    # and PostgreSQL would then switch to one plan for any values when its estimate looks no
    # worse. For a page of accounts that generic plan guesses a tenth of the rows for any
    # LIMIT and a fixed share for any name pattern, and hashes a sequential scan of the whole
    # table: 10 ms at 100,000 accounts where the plan made for the values takes 1 ms (seen
    # in `qbsync bench api`). Planning each run costs a fraction of a millisecond.
    engine = sa.create_engine(url, connect_args={"options": "-c plan_cache_mode=force_custom_plan"})
    event.listen(engine, "checkin", _note_return)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


def _note_return(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[RETURNED_AT] = time.monotonic()


def _ping_if_idle(
    dialect: sa.Dialect, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any
) -> None:
    """Check that a connection idle in the pool still answers before it is used.

    What `pool_pre_ping` does, but only for connections idle longer than PING_AFTER_IDLE: a
    request takes a connection several times (its API key, then its service), and one that
    answered a moment ago is as good as one pinged now; the ping would cost a round trip
    each time. A ping that fails drops every pooled connection (the server restarted) and
    the pool connects afresh.
    """
    returned_at = record.info.get(RETURNED_AT)
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE:
        return  # just connected, or just used
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as exc:
        raise sa.exc.InvalidatePoolError("the database did not answer a ping") from exc


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while a worker writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (services return them)."""
    map_records()
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions for reading only, each statement on its own: no BEGIN and ROLLBACK around
    them, two round trips fewer. Statements read what they would read in a READ COMMITTED
    transaction, which takes a new snapshot for every statement too."""
    map_records()
    reading = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind=reading, expire_on_commit=False, autoflush=False)


class ReadOnlyError(RuntimeError):
    """A unit of work made for reading was asked to write: a programming error."""


class SqlUnitOfWork:
    """One session per `with` block; nothing is written unless `commit()` is called.

    A `read_only` one (on `read_session_factory` sessions) refuses to flush or commit, so
    that nothing it is given is ever written outside a transaction.
    Not shared between threads: make one per request or job from a shared session factory.
    """

    def __init__(self, sessions: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._sessions = sessions
        self._session: Session | None = None
        self._read_only = read_only

    def __enter__(self) -> Self:
        session = self._session = self._sessions()
        self.firms = repos.SqlFirms(session)
        self.api_keys = repos.SqlApiKeys(session)
        self.connections = repos.SqlConnections(session)
        self.accounts = repos.SqlAccounts(session)
        self.jobs = repos.SqlJobs(session)
        self.history = repos.SqlHistory(session)
        self.settings = repos.SqlSettings(session)
        self.merges = repos.SqlMerges(session)
        self.invoices = repos.SqlInvoices(session)
        self.payments = repos.SqlPayments(session)
        self.status_events = repos.SqlStatusEvents(session)
        self.sends = repos.SqlSends(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        # close() rolls back what was not committed and detaches the objects without
        # expiring them, so what a service returns stays readable.
        self._session.close()
        self._session = None

    def flush(self) -> None:
        session = self._active()

        def write() -> None:
            session.flush()
            repos.write_pending_history(session)

        self._guarded(write)

    def commit(self) -> None:
        session = self._active()

        def write() -> None:
            session.flush()  # the records first: the history names them
            repos.write_pending_history(session)
            account_counts.write_pending(session)  # in the same transaction as what they count
            session.commit()

        self._guarded(write)

    def _active(self) -> Session:
        assert self._session is not None, "use the unit of work inside `with uow:`"
        if self._read_only:
            raise ReadOnlyError("this unit of work only reads; use Services.uow() to write")
        return self._session

    @staticmethod
    def _guarded(write: Any) -> None:
        try:
            write()
        except IntegrityError as exc:
            # Two requests raced for one unique row (an account, an active job): report the clash.
            raise ConflictError("the record was changed by another request; try again") from exc
