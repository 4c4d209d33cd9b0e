"""Topic models: runs, their topics and words, the topic of each unit, a lemma cache."""
from __future__ import annotations

NAME = "0004_topics"


def apply(db) -> None:
    db.executescript(
        """
        CREATE TABLE topic_runs (
            id INTEGER PRIMARY KEY,
            name TEXT,
            backend TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            seed INTEGER NOT NULL,
            unit TEXT NOT NULL,
            scope TEXT NOT NULL DEFAULT '{}',
            n_units INTEGER NOT NULL DEFAULT 0,
            n_skipped INTEGER NOT NULL DEFAULT 0,
            n_topics INTEGER NOT NULL DEFAULT 0,
            n_outliers INTEGER NOT NULL DEFAULT 0,
            metrics TEXT NOT NULL DEFAULT '{}',
            timing TEXT NOT NULL DEFAULT '{}',
            corpus_hash TEXT,
            coder TEXT,
            created_at TEXT NOT NULL
        );

        CREATE TABLE topics (
            run_id INTEGER NOT NULL REFERENCES topic_runs(id) ON DELETE CASCADE,
            topic INTEGER NOT NULL,
            label TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            code_id INTEGER REFERENCES codes(id) ON DELETE SET NULL,
            PRIMARY KEY (run_id, topic)
        );

        CREATE TABLE topic_words (
            run_id INTEGER NOT NULL,
            topic INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            word TEXT NOT NULL,
            weight REAL NOT NULL,
            PRIMARY KEY (run_id, topic, rank),
            FOREIGN KEY (run_id, topic) REFERENCES topics(run_id, topic) ON DELETE CASCADE
        );

        CREATE TABLE topic_units (
            run_id INTEGER NOT NULL REFERENCES topic_runs(id) ON DELETE CASCADE,
            unit INTEGER NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            segment_id INTEGER REFERENCES segments(id) ON DELETE SET NULL,
            speaker TEXT,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            topic INTEGER NOT NULL,
            probability REAL NOT NULL,
            PRIMARY KEY (run_id, unit)
        );
        CREATE INDEX idx_topic_units_topic ON topic_units(run_id, topic);
        CREATE INDEX idx_topic_units_doc ON topic_units(document_id, start);

        CREATE TABLE topic_lemma_cache (
            segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            tokens TEXT NOT NULL,
            PRIMARY KEY (segment_id, model)
        );
        """
    )
