"""Forwards the realms' journal entries to a webhook sender, each entry once."""

from collections.abc import Mapping, Sequence

from sandbox.journal import Change
from sandbox.webhooks.delivery import WebhookSender
from sandbox.webhooks.events import ChangeEvent


class JournalPublisher:
    """Remembers how far each realm's journal was sent; only later entries go out.

    Not thread-safe by itself: `SandboxState` calls it under its lock, right after each write.
    """

    def __init__(self, sender: WebhookSender, journals: Mapping[str, Sequence[Change]]) -> None:
        self.sender = sender
        # Changes made before webhooks were configured are not notified, as with QBO, which
        # notifies only what happens after the app subscribed.
        self._sent = {realm_id: len(journal) for realm_id, journal in journals.items()}

    def publish(self, realm_id: str, journal: Sequence[Change]) -> None:
        """Send the entries of `journal` not sent yet."""
        start = self._sent.get(realm_id, 0)
        for change in journal[start:]:
            self.sender.notify(
                ChangeEvent(
                    realm_id,
                    change.entity,
                    change.entity_id,
                    change.operation,
                    change.at,
                    change.deleted_id,
                )
            )
        self._sent[realm_id] = len(journal)
