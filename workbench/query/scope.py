"""What a table counts, said in one sentence (shown with every table).

The counting rules themselves live in :mod:`workbench.query.engine` (which codings
count: status, coders, interviewer speech, private documents) and
:mod:`workbench.query.matrices` (passages, denominators); this module only words them,
in the user's language, for the CLI, the spreadsheets and the reports.
"""
from __future__ import annotations

from workbench.domain import CONSENSUS_CODER
from workbench.i18n import _
from workbench.query._types import Coders


def coders_phrase(coders: Coders, short: bool = False) -> str:
    """Which codings count, by coder."""
    names = [coders] if isinstance(coders, str) else list(coders or [])
    if short:
        if not names:
            return _("every coder, merged")
        if [n.casefold() for n in names] == [CONSENSUS_CODER]:
            return _("consensus only")
        return _("coders: {names}").format(names=", ".join(names))
    if not names:
        return _("codings of every coder, merged (a passage coded by several coders "
                 "counts once)")
    if [n.casefold() for n in names] == [CONSENSUS_CODER]:
        return _("adjudicated (consensus) codings only")
    if len(names) == 1:
        return _("codings of {coder} only").format(coder=names[0])
    return _("codings of {coders}, merged (a passage coded by several of them counts "
             "once)").format(coders=", ".join(names))


def describe(*, count: str = "passages", coders: Coders = None, interviewer: bool = False,
             status: str = "accepted", descendants: bool = True, short: bool = False) -> str:
    """One sentence: unit, code rows, coders, interviewer speech, status (``short``: the
    unit, the code rows and the coders, for a note under a table whose document states
    the rest once)."""
    if short:
        unit = {"passages": _("distinct passages"), "codings": _("codings"),
                "documents": _("interviews (base: in scope, coded or not)"),
                "participants": _("participants (base: interviewed, coded or not)"),
                "turns": _("speaker turns")}.get(count, count)
        rows = _("sub-codes included") if descendants else _("each code alone")
        return _("Counts: {unit}; {rows}; {coders}.").format(
            unit=unit, rows=rows, coders=coders_phrase(coders, short=True))
    unit = {
        "passages": _("distinct passages (overlapping codings in one document form one "
                      "passage)"),
        "codings": _("codings (each coder's coding of a span counts once)"),
        "documents": _("documents (base: documents in scope, coded or not)"),
        "participants": _("participants whose words carry the code (base: interviewed "
                          "participants in scope, coded or not)"),
        "turns": _("speaker turns"),
    }.get(count, count)
    rows = _("each code with its sub-codes") if descendants else \
        _("each code alone, without its sub-codes")
    who = coders_phrase(coders)
    enq = _("interviewer turns counted apart") if interviewer else \
        _("interviewer turns left out")
    state = {"accepted": _("validated codings"), "candidate": _("candidate codings only"),
             "all": _("validated and candidate codings")}.get(status, status)
    return _("Counts: {unit}; {rows}; {coders}; {interviewer}; {status}; private "
             "documents left out.").format(unit=unit, rows=rows, coders=who,
                                           interviewer=enq, status=state)
