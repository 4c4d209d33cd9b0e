"""Domain objects shared by the store, the facade and the faces (CLI, TUI, API).

Plain frozen dataclasses: no SQL, no pandas, no Textual.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workbench.i18n import N_

ACTOR_TYPES = ("beneficiary", "trainer", "operator", "other")

#: The coder that adjudicated codings belong to (see docs/user-guide.md, working as a team).
CONSENSUS_CODER = "consensus"

# The PIC regional experimental programmes (ids used by the shipped codebooks and corpus)
PROGRAMME_LABELS = {
    "avenir": "#Avenir (Normandie)",
    "pct_illettrisme": "Parcours compétences transverses / illettrisme (AURA)",
    "occitanie_ia_emploi": "Occitanie IA Emploi",
    "occitanie_e_formation": "Occitanie E-formation",
    "becomino": "Becomino (AURA)",
    "lab_capital_humain": "Lab Capital Humain (AURA)",
    "transversal": "Transversal (mise en œuvre)",
}


def programme_label(programme: str | None) -> str:
    """A programme's display name (its id when it is not one of the PIC programmes)."""
    if not programme:
        return ""
    return PROGRAMME_LABELS.get(programme, programme)


class WorkbenchError(Exception):
    """A user-facing error: the message is shown as is (CLI exit 1, TUI dialog), built
    with ``workbench.i18n._`` so it is in the interface's language; ``title`` is an
    English msgid, translated where it is shown."""

    title = N_("Error")


class NotFoundError(WorkbenchError):
    title = N_("Not found")


class ValidationError(WorkbenchError):
    title = N_("Invalid input")


@dataclass(frozen=True)
class Segment:
    id: int
    document_id: int
    position: int
    kind: str
    speaker: str | None
    is_interviewer: bool
    start: int
    end: int
    timestamp: float | None = None
    end_time: float | None = None
    section: str | None = None
    #: where the turn's words begin: after the speaker label and any written timestamp
    #: (``[00:02:51] Karima :``), computed once at import; ``start`` when none
    body_start: int | None = None
    #: the interview header before the first turn: never coded, not a unit of analysis
    front_matter: bool = False

    @property
    def words(self) -> tuple[int, int]:
        """``(body_start, end)``: the span of the turn's words, label and timestamp out."""
        return (self.start if self.body_start is None else self.body_start), self.end


@dataclass(frozen=True)
class Document:
    id: int
    name: str
    programme: str | None
    actor_type: str | None
    interview_date: str | None
    interviewer: str | None
    site: str | None
    language: str
    source_file: str | None
    source_format: str | None
    source_hash: str | None
    encoding: str | None
    word_count: int
    private: bool
    imported_at: str
    extra: dict = field(default_factory=dict)
    guid: str | None = None          # stable identity (workbench.identity)
    text_hash: str | None = None     # SHA-256 of the normalised text
    wave: str | None = None          # the data-collection wave (workbench.waves)


@dataclass(frozen=True)
class DocumentMetadata:
    """Metadata given at import time (CLI options, manifest row, or API call)."""

    name: str | None = None
    programme: str | None = None
    actor_type: str | None = None
    interview_date: str | None = None
    interviewer: str | None = None
    site: str | None = None
    language: str | None = None
    wave: str | None = None
    participants: tuple[str, ...] = ()
    speakers: dict = field(default_factory=dict)   # speaker label -> participant id
    fields: dict = field(default_factory=dict)     # document field -> (text, number), typed
    columns: dict = field(default_factory=dict)    # table transcripts: role -> column
    tags_as_codes: bool | None = None              # a table's tags column becomes codings
    cases: tuple = ()                              # (case id, speaker label or '')

    def merged_over(self, base: "DocumentMetadata") -> "DocumentMetadata":
        """Values set here win over ``base`` (manifest over CLI defaults)."""
        def pick(a, b):
            return a if a not in (None, "", ()) else b
        return DocumentMetadata(
            name=pick(self.name, base.name),
            programme=pick(self.programme, base.programme),
            actor_type=pick(self.actor_type, base.actor_type),
            interview_date=pick(self.interview_date, base.interview_date),
            interviewer=pick(self.interviewer, base.interviewer),
            site=pick(self.site, base.site),
            language=pick(self.language, base.language),
            wave=pick(self.wave, base.wave),
            participants=tuple(dict.fromkeys(base.participants + self.participants)),
            speakers={**base.speakers, **self.speakers},
            fields={**base.fields, **self.fields},
            columns={**base.columns, **self.columns},
            tags_as_codes=self.tags_as_codes if self.tags_as_codes is not None
            else base.tags_as_codes,
            cases=tuple(dict.fromkeys(base.cases + self.cases)),
        )


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str                  # nominal | ordinal | numeric | date | boolean
    levels: tuple[str, ...] = ()
    position: int = 0
    private: bool = False


@dataclass(frozen=True)
class SearchHit:
    segment_id: int
    document_id: int
    document: str
    programme: str | None
    actor_type: str | None
    speaker: str | None
    start: int
    end: int
    timestamp: float | None
    snippet: str
    context: str
