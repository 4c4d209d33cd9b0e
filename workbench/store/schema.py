"""The project file's schema, as numbered migrations applied on open.

Never edit a migration that has shipped: add a new one.  Migrations are recorded in
``_sqlite_migrations`` (sqlite-utils), each applied in its own transaction.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from workbench.store.db import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)

from workbench.domain import ACTOR_TYPES  # noqa: E402,F401  (the one definition)
ATTRIBUTE_TYPES = ("nominal", "ordinal", "numeric", "date", "boolean")
CODING_ORIGINS = ("manual", "rule", "topic", "imported")


@migrations(name="0001_initial")
def _m0001(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

        CREATE TABLE coders (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );

        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            programme TEXT,
            actor_type TEXT CHECK (actor_type IN ('beneficiary','trainer','operator','other')),
            interview_date TEXT,
            interviewer TEXT,
            site TEXT,
            language TEXT NOT NULL DEFAULT 'fr',
            source_file TEXT,
            source_format TEXT,
            source_hash TEXT UNIQUE,
            encoding TEXT,
            word_count INTEGER NOT NULL DEFAULT 0,
            private INTEGER NOT NULL DEFAULT 0,
            extra TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL,
            imported_by INTEGER REFERENCES coders(id)
        );
        CREATE INDEX idx_documents_programme ON documents(programme, actor_type);

        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL DEFAULT 'turn' CHECK (kind IN ('turn','paragraph')),
            speaker TEXT,
            is_interviewer INTEGER NOT NULL DEFAULT 0,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            timestamp REAL,
            end_time REAL,
            section TEXT,
            CHECK (start >= 0 AND end >= start),
            UNIQUE (document_id, position)
        );
        CREATE INDEX idx_segments_doc_start ON segments(document_id, start);

        CREATE VIRTUAL TABLE segments_fts USING fts5(
            text, tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE TABLE participants (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE attributes (
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('nominal','ordinal','numeric','date','boolean')),
            levels TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            private INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE participant_values (
            participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            attribute TEXT NOT NULL REFERENCES attributes(name) ON DELETE CASCADE ON UPDATE CASCADE,
            value TEXT,
            num REAL,
            PRIMARY KEY (participant_id, attribute)
        );
        CREATE INDEX idx_pvalues_attr ON participant_values(attribute, value);

        CREATE TABLE document_participants (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            participant_id TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            speaker TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (document_id, participant_id, speaker)
        );
        CREATE INDEX idx_docpart_participant ON document_participants(participant_id);

        CREATE TABLE evaluation_questions (
            id TEXT PRIMARY KEY,
            programme TEXT,
            side TEXT CHECK (side IN ('beneficiaries','ecosystem','training_bodies','trainers')),
            text TEXT NOT NULL,
            source TEXT,
            proposed INTEGER NOT NULL DEFAULT 0,
            codebook TEXT
        );

        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
            name TEXT NOT NULL,
            short TEXT,
            definition TEXT,
            when_to_use TEXT,
            when_not_to_use TEXT,
            example TEXT,
            colour TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            codebook TEXT,
            guid TEXT UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_codes_sibling_name ON codes(ifnull(parent_id, 0), name COLLATE NOCASE);

        CREATE TABLE code_questions (
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL REFERENCES evaluation_questions(id) ON DELETE CASCADE,
            PRIMARY KEY (code_id, question_id)
        );

        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            origin TEXT NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual','rule','topic','imported')),
            status TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted','candidate')),
            rule TEXT,
            guid TEXT UNIQUE,
            created_at TEXT NOT NULL,
            CHECK (start >= 0 AND end > start)
        );
        CREATE INDEX idx_codings_code ON codings(code_id, document_id);
        CREATE INDEX idx_codings_doc ON codings(document_id, start);

        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL CHECK (target_type IN
                ('project','document','code','coding','segment','participant','question')),
            target_id TEXT,
            title TEXT,
            text TEXT NOT NULL DEFAULT '',
            coder_id INTEGER REFERENCES coders(id),
            private INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_memos_target ON memos(target_type, target_id);

        CREATE TABLE change_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            coder TEXT,
            action TEXT NOT NULL,
            target_type TEXT,
            target_id TEXT,
            details TEXT
        );

        CREATE TABLE undo_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            coder TEXT,
            label TEXT NOT NULL,
            ops TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE saved_queries (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            expression TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )


def _register_numbered_modules() -> None:
    """Later migrations live in ``workbench/store/migrations/mNNNN_name.py``, each with a
    ``NAME`` ("NNNN_name") and an ``apply(db)`` function; registered in number order."""
    import importlib
    import pkgutil

    from workbench.store import migrations as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("m"))
    for module_name in names:
        module = importlib.import_module(f"{package.__name__}.{module_name}")
        migrations(name=module.NAME)(module.apply)


_register_numbered_modules()


def apply_migrations(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        migrations.apply(db)
    return pending


def latest_version() -> str:
    return migrations._migrations[-1].name
