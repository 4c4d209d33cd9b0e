"""Waves and cases: following people and sites over time.

- ``waves``: the ordered list of data-collection waves the project defines (``entrée``,
  ``sortie``, ``6 mois``...), ``position`` giving the order; ``documents.wave`` names the
  wave of an interview (renaming a wave follows; deleting one leaves its interviews
  without a wave).
- ``cases``: sites and organisations (training bodies, third places, employers,
  prescribers...), each of a ``kind`` (``site``, ``organisation``... any lower-case
  word), with a display ``name``, a ``description``, an optional ``parent`` case (a
  training body at a site) and a GUID; typed attributes of their own in ``case_fields``
  / ``case_values``, shaped like participant attributes (one field set, names shared
  by every kind).
- ``document_cases``: a document, or one speaker of it (``speaker`` = the label as
  written; ``''`` the whole document), belongs to a case; ``participant_cases``: a
  participant belongs to a case (a trainee to a site).

The query engine's covering index of the document table gains ``wave`` and ``private``.
"""
from __future__ import annotations

NAME = "0090_waves_cases"

_SQL_UUID4 = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
              "substr(lower(hex(randomblob(2))), 2) || '-' || "
              "substr('89ab', 1 + (abs(random()) % 4), 1) || "
              "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))")


def apply(db) -> None:
    db.executescript(
        f"""
        CREATE TABLE waves (
            name TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            description TEXT
        );
        CREATE UNIQUE INDEX idx_waves_name_nocase ON waves(name COLLATE NOCASE);
        ALTER TABLE documents ADD COLUMN wave TEXT
            REFERENCES waves(name) ON UPDATE CASCADE ON DELETE SET NULL;
        CREATE INDEX idx_documents_wave ON documents(wave);
        DROP INDEX IF EXISTS idx_documents_query;
        CREATE INDEX idx_documents_query
            ON documents(id, name, programme, actor_type, interview_date, interviewer, site,
                         extra, private, wave);

        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT,
            description TEXT,
            parent_id TEXT REFERENCES cases(id) ON DELETE SET NULL ON UPDATE CASCADE,
            guid TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (parent_id IS NULL OR parent_id <> id)
        );
        CREATE INDEX idx_cases_kind ON cases(kind);
        CREATE UNIQUE INDEX idx_cases_guid ON cases(lower(guid));
        CREATE TRIGGER trg_cases_guid AFTER INSERT ON cases WHEN NEW.guid IS NULL
        BEGIN
            UPDATE cases SET guid = {_SQL_UUID4} WHERE id = NEW.id;
        END;

        CREATE TABLE case_fields (
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('nominal','ordinal','numeric','date','boolean')),
            levels TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            private INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE case_values (
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE ON UPDATE CASCADE,
            field TEXT NOT NULL REFERENCES case_fields(name) ON DELETE CASCADE
                ON UPDATE CASCADE,
            value TEXT,
            num REAL,
            PRIMARY KEY (case_id, field)
        );
        CREATE INDEX idx_cvalues_field ON case_values(field, value);

        CREATE TABLE document_cases (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE ON UPDATE CASCADE,
            speaker TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (document_id, case_id, speaker)
        );
        CREATE INDEX idx_document_cases_case ON document_cases(case_id);
        CREATE TABLE participant_cases (
            participant_id TEXT NOT NULL REFERENCES participants(id)
                ON DELETE CASCADE ON UPDATE CASCADE,
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE ON UPDATE CASCADE,
            PRIMARY KEY (participant_id, case_id)
        );
        CREATE INDEX idx_participant_cases_case ON participant_cases(case_id);
        """
    )
