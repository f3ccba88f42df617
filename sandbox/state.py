"""The sandbox's whole state: realms in memory behind one lock, and what clients may do to them."""

import copy
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sandbox import clock, limits
from sandbox.entities import customer_controls
from sandbox.entities.chart import add_chart
from sandbox.entities.customer_type import add_customer_type
from sandbox.entities.payload import JsonDict, Reply
from sandbox.entities.payment_method import NON_CREDIT_CARD, add_payment_method
from sandbox.entities.registry import CUSTOMER, EntitySpec, find_entity
from sandbox.entities.writes import missing
from sandbox.faults import business_rule, query_validation_error, unsupported_operation
from sandbox.journal import Change
from sandbox.oauth.records import AccessStatus
from sandbox.oauth.store import TokenStore
from sandbox.options import SandboxOptions
from sandbox.query.engine import run_query
from sandbox.query.parser import parse_query
from sandbox.realm import Realm, WriteContext
from sandbox.webhooks.delivery import WebhookConfig, WebhookSender
from sandbox.webhooks.publisher import JournalPublisher

MAX_REQUESTID_LENGTH = 50


class SandboxState:
    """In-memory QBO companies. Thread-safe: one lock guards every read and write.

    Everything handed out is a deep copy, so callers cannot change stored rows.
    """

    def __init__(
        self,
        options: SandboxOptions | None = None,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.options = options or SandboxOptions()
        # `now` is where time comes from; the clock on top of it is what tests and controls move.
        self.clock = clock.SandboxClock(now)
        # QBO's limits and the request counters; they read the switches and clock on each call.
        self.throttle = limits.Throttle(lambda: self.options, self.now)
        self._lock = threading.RLock()
        self._realms: dict[str, Realm] = {}
        # OAuth apps and every bearer token; it has its own lock and never takes this one.
        self.oauth = TokenStore(self.now, self._refresh_grace)
        self._webhooks: JournalPublisher | None = None
        # Called with the realm id after a batch request's items ran and before it is answered:
        # the moment a chaos test kills the client between QBO's writes and their answer.
        self.after_batch: Callable[[str], None] | None = None

    def now(self) -> datetime:
        """Return the sandbox's current time (its clock's)."""
        return self.clock.now()

    def add_realm(self, realm_id: str, company_name: str = "Sandbox Company_US_1") -> None:
        """Create a company with the minimal chart of accounts; a realm id can be added once."""
        with self._lock:
            if realm_id in self._realms:
                raise ValueError(f"realm {realm_id} already exists")
            self._realms[realm_id] = Realm(realm_id, company_name)
            add_chart(self._context(realm_id))

    def add_oauth_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str]
    ) -> None:
        """Register an app that may connect through OAuth; redirect URIs must match exactly."""
        self.oauth.add_client(client_id, client_secret, redirect_uris)

    def consent_realm_id(self) -> str:
        """Return the company a user connects: switch `consent_realm_id`, else the first realm."""
        with self._lock:
            chosen = self.options.consent_realm_id or next(iter(self._realms), None)
            if chosen is None or chosen not in self._realms:
                raise KeyError(f"unknown realm {chosen}" if chosen else "no realm")
            return chosen

    def issue_access_token(
        self, realm_id: str, token: str | None = None, expires_in: float | None = None
    ) -> str:
        """Make `token` (a random one if None) a bearer token for `realm_id`; return it.

        Without `expires_in` (seconds) it stays valid until revoked.
        """
        with self._lock:
            self._realm(realm_id)  # KeyError for an unknown realm, as before
        expires_at = None if expires_in is None else self.now() + timedelta(seconds=expires_in)
        return self.oauth.issue_access_token(realm_id, token, expires_at)

    def token_is_valid(self, realm_id: str, token: str) -> bool:
        """Tell whether `token` is a live bearer token for `realm_id` (False: unknown realm)."""
        return self.access_token_status(realm_id, token) is AccessStatus.VALID

    def access_token_status(self, realm_id: str, token: str) -> AccessStatus:
        """Return what the API gateway makes of `token` on `realm_id`: valid, expired or invalid."""
        return self.oauth.check_access(token, realm_id)

    def revoke_token(self, token: str) -> bool:
        """Revoke any token as Intuit's revoke endpoint does; return whether anything died."""
        return self.oauth.revoke(None, token)

    def customers(self, realm_id: str) -> list[JsonDict]:
        """Return every customer of the realm, inactive ones too, in Id order."""
        with self._lock:
            return copy.deepcopy(self._realm(realm_id).rows(CUSTOMER.name))

    def add_customer(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed a customer without HTTP; the same rules as a create apply (QboFault on a fault)."""
        return self.save(realm_id, CUSTOMER.name, dict(fields), "")

    def add_vendor(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed a vendor; the same rules as a create apply."""
        return self.save(realm_id, "Vendor", dict(fields), "")

    def add_employee(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed an employee; the same rules as a create apply."""
        return self.save(realm_id, "Employee", dict(fields), "")

    def add_account(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed an account of the chart; the same rules as a create apply."""
        return self.save(realm_id, "Account", dict(fields), "")

    def add_item(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed an item; the same rules as a create apply."""
        return self.save(realm_id, "Item", dict(fields), "")

    def add_class(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed a class; the same rules as a create apply."""
        return self.save(realm_id, "Class", dict(fields), "")

    def add_department(self, realm_id: str, **fields: object) -> JsonDict:
        """Seed a department (a "location"); the same rules as a create apply."""
        return self.save(realm_id, "Department", dict(fields), "")

    def add_customer_type(self, realm_id: str, name: str, active: bool = True) -> JsonDict:
        """Seed a customer type (the API cannot create one)."""
        with self._lock:
            row = add_customer_type(self._realm(realm_id), name, self.now(), active)
            return copy.deepcopy(row)

    def add_payment_method(
        self, realm_id: str, name: str, kind: str = NON_CREDIT_CARD, active: bool = True
    ) -> JsonDict:
        """Seed a payment method (the sandbox's API only reads them)."""
        with self._lock:
            row = add_payment_method(self._realm(realm_id), name, self.now(), kind, active)
            return copy.deepcopy(row)

    def realm_ids(self) -> list[str]:
        """Return the id of every realm, in the order they were added."""
        with self._lock:
            return list(self._realms)

    def export_realms(self) -> dict[str, Realm]:
        """Return a deep copy of every realm, by id (what a snapshot saves)."""
        with self._lock:
            return copy.deepcopy(self._realms)

    def import_realms(self, realms: dict[str, Realm]) -> None:
        """Replace every realm with `realms` (what a snapshot restores)."""
        with self._lock:
            self._realms = copy.deepcopy(realms)

    def query(self, realm_id: str, statement: str) -> JsonDict:
        """Run a QBO query statement and return the QueryResponse contents."""
        query = parse_query(statement)
        spec = find_entity(query.entity)
        if spec is None:
            raise query_validation_error(f"entity '{query.entity}' is not supported")
        with self._lock:
            rows = self._realm(realm_id).rows(spec.name)
            return copy.deepcopy(run_query(query, spec, rows, self.options))

    def read(self, realm_id: str, entity: str, entity_id: str) -> JsonDict:
        """Return one entity by Id, inactive or not; 610 when there is none (or it was deleted)."""
        spec = _entity(entity, "read")
        with self._lock:
            realm = self._realm(realm_id)
            row = realm.get(spec.name, entity_id)
            if row is None:
                raise missing(realm, spec.name, entity_id)
            return copy.deepcopy(row)

    def save(
        self,
        realm_id: str,
        entity: str,
        payload: object,
        operation: str,
        include: Iterable[str] = (),
    ) -> JsonDict:
        """Create, update, delete or void an entity from a client's payload; return the answer.

        `operation` is `?operation=` ("" for a plain POST); `include` holds `?include=` flags
        such as "void" or "allowduplicatedocnum".
        """
        spec = _entity(entity, operation or "create")
        if spec.save is None:
            raise unsupported_operation(f"Operation {operation or 'create'} is not supported.")
        with self._lock:
            saved = spec.save(self._context(realm_id, include), payload, operation)
            self._publish(realm_id)
            return copy.deepcopy(saved)

    def merge_customers(self, realm_id: str, from_id: str, into_id: str) -> JsonDict:
        """Merge customer `from_id` into `into_id` as a QBO user does in the UI; return `into`."""
        with self._lock:
            context = self._context(realm_id)
            survivor = customer_controls.merge_customers(context, from_id, into_id)
            self._publish(realm_id)
            return copy.deepcopy(survivor)

    def deactivate_customer(self, realm_id: str, customer_id: str) -> JsonDict:
        """Make a customer inactive as a QBO user does in the UI (balance or not); return it."""
        with self._lock:
            context = self._context(realm_id)
            deactivated = customer_controls.deactivate_customer(context, customer_id)
            self._publish(realm_id)
            return copy.deepcopy(deactivated)

    def configure_webhooks(self, config: WebhookConfig | None) -> WebhookSender | None:
        """Notify every change from now on as `config` says (None: stop notifying)."""
        with self._lock:
            if self._webhooks is not None:
                self._webhooks.sender.stop()
            self._webhooks = None
            if config is None:
                return None
            journals = {realm_id: realm.journal for realm_id, realm in self._realms.items()}
            self._webhooks = JournalPublisher(WebhookSender(config), journals)
            return self._webhooks.sender

    @property
    def webhooks(self) -> WebhookSender | None:
        """The sender of webhook notifications, if they are configured."""
        return None if self._webhooks is None else self._webhooks.sender

    def changes(self, realm_id: str, since: datetime, entities: Iterable[str]) -> list[Change]:
        """Return the journal entries of `entities` (any case) at or after `since`, in order."""
        names = set()
        for name in entities:
            spec = find_entity(name)
            if spec is None:
                raise ValueError(f"unknown entity {name!r}")
            names.add(spec.name)
        with self._lock:
            journal = self._realm(realm_id).journal
            return [c for c in journal if c.entity in names and c.at >= since]

    def latest(self, realm_id: str, entity: str, entity_id: str) -> JsonDict | None:
        """Return an entity as CDC shows it: its payload, its Deleted stub, or None if unknown."""
        spec = _entity(entity, "read")
        with self._lock:
            realm = self._realm(realm_id)
            row = realm.get(spec.name, entity_id) or realm.stub(spec.name, entity_id)
            return copy.deepcopy(row)

    def replay_or_run(self, realm_id: str, requestid: str, write: Callable[[], Reply]) -> Reply:
        """Run `write` once per requestid of the realm; a repeat gets the first answer again.

        The lock is held across `write`, so two concurrent requests with one requestid still
        write once. Ids are kept for the sandbox's lifetime, faults included, as QBO replays
        "the same response as it did for the original request".
        """
        if len(requestid) > MAX_REQUESTID_LENGTH:
            raise business_rule(
                f"You cannot enter more than {MAX_REQUESTID_LENGTH} characters in the "
                f"request_id field, which is {len(requestid)} characters."
            )
        with self._lock:
            replies = self._realm(realm_id).replies
            if requestid not in replies:
                status, body = write()
                replies[requestid] = (status, copy.deepcopy(body))
            status, body = replies[requestid]
            return status, copy.deepcopy(body)

    def _publish(self, realm_id: str) -> None:
        if self._webhooks is not None:
            self._webhooks.publish(realm_id, self._realm(realm_id).journal)

    def _refresh_grace(self) -> timedelta:
        return timedelta(seconds=self.options.old_refresh_grace)

    def _context(self, realm_id: str, include: Iterable[str] = ()) -> WriteContext:
        flags = frozenset(flag.strip().lower() for flag in include)
        return WriteContext(self._realm(realm_id), self.now(), self.options, flags)

    def _realm(self, realm_id: str) -> Realm:
        realm = self._realms.get(realm_id)
        if realm is None:
            raise KeyError(f"unknown realm {realm_id}")
        return realm


def _entity(name: str, operation: str) -> EntitySpec:
    spec = find_entity(name)
    if spec is None:
        raise unsupported_operation(f"Operation {operation} on {name} is not supported.")
    return spec
