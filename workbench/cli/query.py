"""Triangulation queries and joint displays: query, matrix, joint, triangulate, eq, queries.

The query language is documented in docs/query-language.md.
"""
from __future__ import annotations

import json
import sys

import click

from workbench.cli._base import UserError, emit, handle_errors, main, open_project
from workbench.i18n import _, colon, ngettext
from workbench.labels import side_label

OUT_FORMATS = ("table", "csv", "json", "xlsx")


def out_options(fn):
    fn = click.option("--output", "-o", type=click.Path(dir_okay=False),
                      help="Write to this file instead of stdout (needed for xlsx).")(fn)
    return click.option("--format", "fmt", type=click.Choice(OUT_FORMATS), default="table",
                        show_default=True, help="Output format.")(fn)


def _wrote(n: int, path: str) -> str:
    return ngettext("Written: {n} row in {path}", "Written: {n} rows in {path}", n).format(
        n=n, path=path)


def _check_output(fmt: str, output: str | None) -> None:
    if fmt == "xlsx" and not output:
        raise click.UsageError(_("--format xlsx needs --output FILE.xlsx"))


_NOTE: dict = {}


def write(df, fmt: str, output: str | None, sheet: str = "results") -> None:
    """A DataFrame as table/csv/json on stdout or in a file; xlsx in a file (with a
    notes sheet saying what it counts, when the command said it)."""
    if fmt == "xlsx":
        note = _NOTE.pop("text", None)
        write_sheets({sheet: df}, output, {sheet: note} if note else None)
        click.echo(_wrote(len(df), output), err=True)
        return
    if output:
        from workbench.public import atomic_output
        with atomic_output(output, "w", encoding="utf-8", newline="") as fh:
            emit(df, fmt, out=fh)
        click.echo(_wrote(len(df), output), err=True)
    else:
        emit(df, fmt)


def write_sheets(frames: dict, output: str, notes: dict | None = None) -> None:
    """Sheets with the one .xlsx writer (typed cells, no formula injection)."""
    from workbench.public import write_xlsx
    if notes is None and _NOTE.get("text"):
        notes = {name: _NOTE["text"] for name in frames}
    _NOTE.pop("text", None)
    try:
        write_xlsx(frames, output, notes=notes)
    except OSError as exc:
        raise UserError(_("{path}: cannot write ({reason})").format(
            path=output, reason=exc.strerror)) from None


def codes_option(fn):
    return click.option("--code", "codes", multiple=True,
                        help="Code path or unique name (repeatable; default: all codes).")(fn)


def common_options(fn):
    fn = click.option("--status", type=click.Choice(("accepted", "candidate", "all")),
                      default="accepted", show_default=True, help="Which codings count.")(fn)
    fn = click.option("--consensus", is_flag=True,
                      help="Count only the adjudicated (consensus) codings.")(fn)
    fn = click.option("--coder", "coders", multiple=True, metavar="NAME",
                      help="Count only this coder's codings (repeatable; default: every "
                           "coder, merged: a passage coded by several coders counts once).")(fn)
    return click.option("--where", help='Filter, e.g. \'actor = beneficiary AND emploi_6m = "non"\'.')(fn)


def interviewer_option(fn):
    return click.option("--interviewer", is_flag=True,
                        help="Count interviewer speech too (its own group; left out by "
                             "default).")(fn)


def chosen_coders(coders, consensus):
    """The --coder / --consensus choice as the API's ``coders`` argument."""
    from workbench.domain import CONSENSUS_CODER
    if consensus and coders:
        raise click.UsageError(_("give --coder or --consensus, not both"))
    if consensus:
        return CONSENSUS_CODER
    return list(coders) or None


def say_counts(p, **kwargs) -> None:
    """What the table counts, on stderr (stdout stays the data) and in an .xlsx's notes."""
    text = p.counting(**kwargs)
    _NOTE["text"] = text
    click.echo(text, err=True)


def _shorten(df, width: int = 60):
    """Table output: long texts on one line, cut."""
    import pandas as pd
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: v if not isinstance(v, str) else
                                (" ".join(v.split())[:width - 1] + "…"
                                 if len(v) > width else " ".join(v.split())))
    return out


# -- query ---------------------------------------------------------------------------------
@main.command("query")
@click.argument("project")
@click.argument("expression")
@click.option("--attribute", "attributes", multiple=True,
              help="Participant attribute to add as a column (repeatable).")
@click.option("--exact", is_flag=True, help="Codes without their sub-codes (default: with).")
@click.option("--limit", type=int, help="At most this many excerpts.")
@click.option("--save", "save_as", metavar="NAME", help="Also save the query under this name.")
@interviewer_option
@common_options
@out_options
@handle_errors
def query_cmd(project, expression, attributes, exact, limit, save_as, interviewer, where, coders,
              consensus, status, fmt, output):
    """Coded excerpts matching a query.

    Example: workbench query eval.wbproj '"Freins/Mobilité" AND Immersion WHERE actor = beneficiary AND emploi_6m = non'
    """
    _check_output(fmt, output)
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        df = p.query(expression, where=where, attributes=attributes, descendants=not exact,
                     status=status, limit=limit, coders=who, interviewer=interviewer)
        say_counts(p, count="passages", coders=who, interviewer=interviewer, status=status,
                   descendants=not exact)
        if save_as:
            params = {k: v for k, v in (("where", where), ("attributes", list(attributes) or None),
                                        ("descendants", False if exact else None),
                                        ("status", None if status == "accepted" else status),
                                        ("coders", who), ("interviewer", interviewer or None))
                      if v is not None}
            p.save_query(save_as, "query", expression, params, replace=True)
    if fmt == "table":
        df = _shorten(df.drop(columns=["document_id", "coding_ids"]))
    write(df, fmt, output, "excerpts")
    click.echo(ngettext("{n} passage", "{n} passages", len(df)).format(n=len(df)), err=True)


# -- matrix --------------------------------------------------------------------------------
@main.command("matrix")
@click.argument("project")
@click.argument("by", default="actor_type")
@codes_option
@click.option("--count", type=click.Choice(("passages", "codings", "documents", "participants")),
              default="passages", show_default=True,
              help="What a cell counts (passages: overlapping codings in one document "
                   "count once).")
@click.option("--percent", type=click.Choice(("row", "column")), help="Percentages instead of counts.")
@click.option("--bins", type=int, default=4, show_default=True,
              help="Quantile groups for numeric and date attributes.")
@click.option("--exact", is_flag=True, help="Rows without their sub-codes.")
@click.option("--mode", type=click.Choice(("overlap", "turn", "proximity")), default="overlap",
              show_default=True, help="Co-occurrence: overlapping, same turn, or near.")
@click.option("--distance", type=int, help="Co-occurrence proximity in characters (default 500).")
@click.option("--counts", "counts", is_flag=True,
              help="Participants matrix: counts (of --count passages or codings), not 0/1.")
@click.option("--attributes", "with_attributes", is_flag=True,
              help="Participants matrix: join the participant table.")
@click.option("--all-participants", is_flag=True,
              help="Participants matrix: every participant, not only the interviewed ones.")
@interviewer_option
@common_options
@out_options
@handle_errors
def matrix_cmd(project, by, codes, count, percent, bins, exact, mode, distance, counts,
               with_attributes, all_participants, interviewer, where, coders, consensus, status,
               fmt, output):
    """Matrices: codes × BY, code co-occurrence, or participants × codes.

    BY is actor_type (default), programme, a participant attribute (numbers and dates in
    quantiles), `cooccurrence`, or `participants` (the quantitised table, joinable to the
    quantitative data by participant_id).

    Example: workbench matrix eval.wbproj emploi_6m --count participants --percent column
    """
    _check_output(fmt, output)
    codes = list(codes) or None
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        if by == "cooccurrence":
            unit = count if count in ("passages", "codings", "documents") else "passages"
            df = p.cooccurrence(codes, mode=mode, distance=distance, count=unit, where=where,
                                status=status, coders=who, interviewer=interviewer)
            say_counts(p, count="turns" if mode == "turn" and unit == "passages" else unit,
                       coders=who, interviewer=interviewer, status=status, descendants=False)
        elif by == "participants":
            unit = count if count in ("passages", "codings") else "passages"
            df = p.participant_code_matrix(codes, binary=not counts, descendants=not exact,
                                           where=where, attributes=with_attributes,
                                           all_participants=all_participants, count=unit,
                                           status=status, coders=who)
            say_counts(p, count="participants" if not counts else unit, coders=who,
                       status=status, descendants=not exact)
        else:
            df = p.matrix(by, codes=codes, count=count, percent=percent, descendants=not exact,
                          where=where, bins=bins, status=status, coders=who,
                          interviewer=interviewer)
            say_counts(p, count=count, coders=who, interviewer=interviewer, status=status,
                       descendants=not exact)
    write(df, fmt, output, "matrix")


# -- joint displays and triangulation --------------------------------------------------------
@main.command("joint")
@click.argument("project")
@click.argument("group_by", required=False)
@codes_option
@click.option("--question", "questions", multiple=True,
              help="Evaluation question as a column (repeatable; 'all' for every one).")
@click.option("--bins", type=int, default=4, show_default=True, help="Quantiles for numbers/dates.")
@click.option("--exemplars", type=int, default=1, show_default=True, help="Quotes per cell.")
@click.option("--wide", is_flag=True, help="One row per group (columns per code).")
@click.option("--outcome", help="Binary outcome: rate with vs without each code, Fisher's test.")
@click.option("--positive", help="The outcome's positive value (when not yes/no).")
@common_options
@out_options
@handle_errors
def joint_cmd(project, group_by, codes, questions, bins, exemplars, wide, outcome, positive,
              where, coders, consensus, status, fmt, output):
    """Joint display: groups of the quantitative study × codes or evaluation questions.

    With --outcome: the outcome rate among participants whose interviews carry each code
    vs the others, with Fisher's exact test and a small-numbers warning.

    Example: workbench joint eval.wbproj emploi_6m --code Freins --code "Immersion en entreprise"
    """
    _check_output(fmt, output)
    codes = list(codes) or None
    qs = None if not questions else ("all" if "all" in questions else list(questions))
    if not group_by and not outcome:
        raise click.UsageError(_("give GROUP_BY (a participant attribute) or --outcome "
                                 "ATTRIBUTE"))
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        if outcome:
            df = p.outcome_by_code(outcome, codes=codes, questions=qs, positive=positive,
                                   where=where, status=status, coders=who)
        else:
            df = p.joint_display(group_by, codes=codes, questions=qs, bins=bins,
                                 exemplars=exemplars, where=where,
                                 layout="wide" if wide else "long", status=status, coders=who)
        say_counts(p, count="participants", coders=who, status=status)
    write(_shorten(df) if fmt == "table" else df, fmt, output, "joint")


@main.command("triangulate")
@click.argument("project")
@codes_option
@click.option("--question", "questions", multiple=True,
              help="Evaluation question rows (repeatable; 'all' for every one).")
@click.option("--exemplars", type=int, default=2, show_default=True, help="Quotes per actor type.")
@common_options
@out_options
@handle_errors
def triangulate_cmd(project, codes, questions, exemplars, where, coders, consensus, status, fmt,
                    output):
    """Source triangulation: beneficiaries, trainers and operators side by side.

    Example: workbench triangulate eval.wbproj --code "Immersion en entreprise"
    """
    _check_output(fmt, output)
    qs = None if not questions else ("all" if "all" in questions else list(questions))
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        df = p.triangulate(list(codes) or None, questions=qs, exemplars=exemplars, where=where,
                           status=status, coders=who)
        say_counts(p, count="passages", coders=who, status=status)
    if fmt == "table":
        df = _shorten(df[[c for c in df.columns if not c.endswith("_exemplars")]])
    write(df, fmt, output, "triangulation")


# -- evaluation questions --------------------------------------------------------------------
@main.command("eq")
@click.argument("project")
@click.argument("question", required=False)
@click.option("--exemplars", type=int, default=2, show_default=True)
@common_options
@out_options
@handle_errors
def eq_cmd(project, question, exemplars, where, coders, consensus, status, fmt, output):
    """The dossier of an evaluation question (or, without QUESTION, the list of questions
    with their evidence counts).

    Example: workbench eq eval.wbproj AV-B1 --format xlsx -o AV-B1.xlsx
    """
    _check_output(fmt, output)
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        say_counts(p, count="passages", coders=who, status=status)
        if not question:
            df = p.triangulate(questions="all", exemplars=0, where=where, status=status,
                               coders=who)
            keep = ["question"] + [c for c in df.columns if c.endswith(("_documents", "_status"))] \
                + ["summary"]
            write(df[keep], fmt, output, "questions")
            return
        d = p.question_dossier(question, where=where, exemplars=exemplars, status=status,
                               coders=who)
    if fmt == "xlsx":
        import pandas as pd
        head = pd.DataFrame([{k: (";".join(v) if isinstance(v, list) else v)
                              for k, v in d.question.items()}])
        write_sheets({"question": head, **{s: getattr(d, s) for s in d.sections}}, output)
        click.echo(_("Written: the dossier of {question} in {path}").format(
            question=question, path=output), err=True)
        return
    if fmt == "json":
        text = json.dumps(d.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            sys.stdout.write(text)
        return
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        q = d.question
        if fmt == "table":
            stream.write(f"{q['id']} — {q['text']}\n")
            stream.write("   ".join((
                colon(_("Programme")) + f" {q.get('programme') or '-'}",
                colon(_("Side")) + f" {side_label(q.get('side')) or '-'}",
                colon(_("Codes")) + " " + (", ".join(q["codes"]) or _("(none linked)")))) + "\n")
        for s in d.sections:
            df = getattr(d, s)
            if fmt == "table":
                stream.write(f"\n== {s} ({len(df)}) ==\n")
                if s == "excerpts":
                    df = df.drop(columns=["document_id", "coding_ids"])
                emit(_shorten(df, 80), "table", out=stream)
            else:
                stream.write(f"# {s}\n")
                emit(df, "csv", out=stream)
    finally:
        if output:
            stream.close()


# -- saved queries ---------------------------------------------------------------------------
@main.group("queries")
def queries_group():
    """Saved queries: list, save, run, delete."""


@queries_group.command("list")
@click.argument("project")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table")
@handle_errors
def queries_list(project, fmt):
    """List the project's saved queries.

    Example: workbench queries list eval.wbproj
    """
    with open_project(project) as p:
        df = p.saved_queries()
        shareable = p.shareable_saved_queries()
    withheld = [q is None for q in shareable]
    df["params"] = df["params"].map(lambda d: json.dumps(d, ensure_ascii=False))
    df.loc[withheld, ["expression", "params"]] = "(names a private document or attribute)"
    emit(df, fmt)


def _param(values) -> dict:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(_("{value!r}: use NAME=VALUE (VALUE may be JSON)").format(
                                         value=v),
                                     param_hint="--param")
        k, raw = v.split("=", 1)
        try:
            out[k.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[k.strip()] = raw
    return out


@queries_group.command("save")
@click.argument("project")
@click.argument("name")
@click.argument("expression", default="")
@click.option("--kind", type=click.Choice(("query", "matrix", "cooccurrence", "participants",
                                           "triangulation", "joint", "outcome", "dossier")),
              default="query", show_default=True)
@click.option("--param", "params", multiple=True,
              help="Keyword argument NAME=VALUE (JSON values allowed), e.g. count=participants.")
@click.option("--replace", is_flag=True, help="Replace a saved query of the same name.")
@handle_errors
def queries_save(project, name, expression, kind, params, replace):
    """Save a query (checked by running it once).

    Example: workbench queries save eval.wbproj freins-sans-emploi 'Freins WHERE emploi_6m = non'
    """
    with open_project(project) as p:
        p.save_query(name, kind, expression, _param(params), replace=replace)
    click.echo(_("Query saved: {name}").format(name=name), err=True)


@queries_group.command("run")
@click.argument("project")
@click.argument("name")
@out_options
@handle_errors
def queries_run(project, name, fmt, output):
    """Run a saved query.

    Example: workbench queries run eval.wbproj freins-sans-emploi --format csv
    """
    _check_output(fmt, output)
    with open_project(project) as p:
        names = list(p.saved_queries()["name"])
        if name in names and p.shareable_saved_queries()[names.index(name)] is None:
            raise UserError(_("saved query {name!r} names a private document or attribute: it "
                              "is not run for an output").format(name=name))
        result = p.run_saved_query(name)
    if hasattr(result, "sections"):
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        result = result.excerpts
    if fmt == "table":
        result = _shorten(result.drop(columns=["document_id", "coding_ids"], errors="ignore"))
    write(result, fmt, output, name)


@queries_group.command("delete")
@click.argument("project")
@click.argument("name")
@handle_errors
def queries_delete(project, name):
    """Delete a saved query.

    Example: workbench queries delete eval.wbproj freins-sans-emploi
    """
    with open_project(project) as p:
        p.delete_saved_query(name)
    click.echo(_("Query deleted: {name}").format(name=name), err=True)
