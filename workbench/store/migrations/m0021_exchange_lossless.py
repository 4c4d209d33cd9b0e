"""REFI-QDA exchange without loss: what another tool's project holds and Workbench had
no place for.

- ``codes.codable``: REFI ``isCodable`` (0: a category that only groups codes).
- ``attributes.exchange_type``: the REFI variable type read (``Integer``, ``Float``,
  ``DateTime``...), so that an Integer variable goes back out as Integer.
- ``participants.description``: a case's description.
- ``selections``: the coded passages of another tool (``PlainTextSelection``), with their
  own GUID, creator, creation date and description; ``codings.selection_guid`` ties a
  coding to its selection.  ``notes`` lists the memo GUIDs attached to the selection
  itself (not to one of its codings).
- ``groups`` / ``group_members``: REFI Sets, as groups of documents, codes and memos
  (members referenced by GUID, so that undoing a deletion restores the membership).
- ``case_codes`` / ``case_selections``: a case's links to codes and to selections.
- ``exchange_objects``: REFI Links and Graphs, kept as read and written back.
- ``exchange_fields``: attributes of another tool's elements that have no column here
  (creation and modification dates and users, descriptions), by element GUID.

Columns that *refer* to a GUID (``selection_guid``, ``member_guid``, ``code_guid``, the
``guid`` of ``exchange_fields``) hold its key (:func:`workbench.identity.guid_key`:
lower case); the row that *owns* a GUID keeps it as written.
"""
from __future__ import annotations

NAME = "0021_exchange_lossless"

_SQL_UUID4 = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
              "substr(lower(hex(randomblob(2))), 2) || '-' || "
              "substr('89ab', 1 + (abs(random()) % 4), 1) || "
              "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))")


def apply(db) -> None:
    db.executescript(
        f"""
        ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE codings ADD COLUMN selection_guid TEXT;
        ALTER TABLE participants ADD COLUMN description TEXT;
        ALTER TABLE attributes ADD COLUMN exchange_type TEXT;

        CREATE TABLE selections (
            guid TEXT PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            name TEXT,
            description TEXT,
            coder_id INTEGER REFERENCES coders(id),
            created_at TEXT,
            notes TEXT NOT NULL DEFAULT '[]',
            CHECK (start >= 0 AND end >= start)
        );
        CREATE UNIQUE INDEX idx_selections_key ON selections(lower(guid));
        CREATE INDEX idx_selections_doc ON selections(document_id, start);
        CREATE INDEX idx_codings_selection ON codings(selection_guid)
            WHERE selection_guid IS NOT NULL;

        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            guid TEXT,
            name TEXT NOT NULL,
            description TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_groups_guid ON groups(lower(guid));
        CREATE TRIGGER trg_groups_guid AFTER INSERT ON groups WHEN NEW.guid IS NULL
        BEGIN
            UPDATE groups SET guid = {_SQL_UUID4} WHERE id = NEW.id;
        END;
        CREATE TABLE group_members (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('document','code','memo')),
            member_guid TEXT NOT NULL,
            PRIMARY KEY (group_id, kind, member_guid)
        );

        CREATE TABLE case_codes (
            participant_id TEXT NOT NULL REFERENCES participants(id)
                ON DELETE CASCADE ON UPDATE CASCADE,
            code_guid TEXT NOT NULL,
            PRIMARY KEY (participant_id, code_guid)
        );
        CREATE TABLE case_selections (
            participant_id TEXT NOT NULL REFERENCES participants(id)
                ON DELETE CASCADE ON UPDATE CASCADE,
            selection_guid TEXT NOT NULL,
            PRIMARY KEY (participant_id, selection_guid)
        );

        CREATE TABLE exchange_objects (
            guid TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('link','graph')),
            name TEXT,
            xml TEXT NOT NULL,
            refs TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_exchange_objects_key ON exchange_objects(lower(guid));

        CREATE TABLE exchange_fields (
            kind TEXT NOT NULL,
            guid TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{{}}',
            PRIMARY KEY (kind, guid)
        );
        """)
