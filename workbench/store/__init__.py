"""The project store: SQLite through sqlite-utils.  The only package that writes SQL."""
from workbench.store.db import StoreCore, StoreError, now
from workbench.store.documents import DocumentStore, fts_query
from workbench.store.participants import ParticipantStore
from workbench.store.fields import FieldStore
from workbench.store.coding import CodingStore
from workbench.store.query import QueryStore
from workbench.store.topics import TopicStore
from workbench.store.exchange import ExchangeStore
from workbench.store.exchange_import import ExchangeImportStore
from workbench.store.identity import IdentityStore
from workbench.store.privacy import PrivacyStore
from workbench.store.groups import GroupStore
from workbench.store.team import TeamStore
from workbench.store.slots import SlotStore
from workbench.store.waves import WaveStore


class Store(ExchangeImportStore, CodingStore, TopicStore, PrivacyStore, DocumentStore,
            ParticipantStore, WaveStore, FieldStore, QueryStore, ExchangeStore, GroupStore,
            IdentityStore, TeamStore, SlotStore, StoreCore):
    """All of the project's persistence, one mixin per area."""


__all__ = ["Store", "StoreError", "now", "fts_query"]
