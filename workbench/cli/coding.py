"""Codebooks, coding, autocoding, review, memos, coders, undo/redo."""
from __future__ import annotations

from pathlib import Path

import click

from workbench.cli._base import (Progress, UserError, coder_option, emit, emit_rows, format_option,
                                 handle_errors, main, open_project)
from workbench.cli._base import ACTOR
from workbench.i18n import N_, _, ngettext
from workbench.labels import activity_label


def _n_codes(n: int) -> str:
    return ngettext("{n} code", "{n} codes", n).format(n=n)


def _n_questions(n: int) -> str:
    return ngettext("{n} evaluation question", "{n} evaluation questions", n).format(n=n)


def _n_segments(n: int) -> str:
    return ngettext("{n} turn", "{n} turns", n).format(n=n)


def _n_documents(n: int) -> str:
    return ngettext("{n} document", "{n} documents", n).format(n=n)


# -- codebook ---------------------------------------------------------------------------
@main.group("codebook")
def codebook_group():
    """Codebooks: validate, import, export, show, diff, history."""


@codebook_group.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@handle_errors
def codebook_validate(file):
    """Check a codebook file; list every problem with file and line (exit 1 on errors).

    Example: workbench codebook validate codebooks/avenir.yaml
    """
    from workbench.public import validate_codebook_file
    from workbench.public import read_codebook_file
    if Path(file).suffix.lower() in (".qdc", ".qde", ".qdpx"):
        cb = read_codebook_file(file)
        click.echo(_("{file}: valid ({codes}, {questions})").format(
            file=file, codes=_n_codes(cb.count()), questions=_n_questions(len(cb.questions))))
        return
    if not Path(file).is_file():
        raise UserError(_("{file}: no such file").format(file=file))
    problems = validate_codebook_file(file)
    for p in problems:
        click.echo(str(p), err=True)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise UserError(ngettext("{file}: {n} error", "{file}: {n} errors", len(errors)).format(
            file=file, n=len(errors)))
    from workbench.public import load_codebook
    cb = load_codebook(file)
    counts = [_n_codes(cb.count()), _n_questions(len(cb.questions))]
    if problems:
        counts.append(ngettext("{n} warning", "{n} warnings", len(problems)).format(
            n=len(problems)))
    click.echo(_("{file}: valid ({counts})").format(file=file, counts=", ".join(counts)))


@codebook_group.command("import")
@click.argument("project")
@click.argument("file", type=click.Path(dir_okay=False))
@coder_option
@handle_errors
def codebook_import(project, file, coder):
    """Merge a codebook (.yaml or REFI-QDA .qdc) into the project without duplicating codes.

    Example: workbench codebook import eval.wbproj codebooks/avenir.yaml
    """
    with open_project(project, coder) as p:
        s = p.import_codebook(file)
    from workbench.public import describe_import
    click.echo(f"{s['codebook']}: " + describe_import(s))


@codebook_group.command("export")
@click.argument("project")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--codebook", help="Only the codes imported from this codebook id.")
@handle_errors
def codebook_export(project, file, codebook):
    """Export the project's codebook as YAML (.yaml) or REFI-QDA (.qdc).

    Example: workbench codebook export eval.wbproj exports/codebook.qdc
    """
    with open_project(project) as p:
        path = p.export_codebook(file, codebook=codebook)
    click.echo(_("Written: {path}").format(path=path))


@codebook_group.command("show")
@click.argument("project")
@click.option("--questions", is_flag=True, help="List the evaluation questions instead.")
@click.option("--exact", is_flag=True,
              help="Each code's own counts (default: a code's counts include its sub-codes).")
@format_option
@handle_errors
def codebook_show(project, questions, exact, fmt):
    """Show the code tree with counts (or the evaluation questions).  A code's codings
    and documents include its sub-codes' unless --exact.

    Example: workbench codebook show eval.wbproj --format csv
    """
    with open_project(project) as p:
        if questions:
            emit(p.evaluation_questions(), fmt)
            return
        df = p.codes(exact=exact)
    if fmt == "table":
        df = df.assign(code=["  " * d + n for d, n in zip(df["depth"], df["name"])])
        df = df[["id", "code", "colour", "codings", "candidates", "documents", "questions"]]
    emit(df, fmt)


@codebook_group.command("diff")
@click.argument("old")
@click.argument("new")
@handle_errors
def codebook_diff(old, new):
    """Differences between two codebooks (files, or a project's codebook: *.wbproj).

    Example: workbench codebook diff eval.wbproj codebooks/avenir.yaml
    """
    from workbench.public import diff_codebooks, format_changes
    from workbench.public import read_codebook_file

    def load(ref):
        if ref.endswith(".wbproj"):
            with open_project(ref) as p:
                return p.project_codebook()
        return read_codebook_file(ref)

    changes = diff_codebooks(load(old), load(new))
    click.echo(format_changes(changes) if changes else _("no differences"))


@codebook_group.command("history")
@click.argument("project")
@click.option("--limit", default=50, show_default=True)
@format_option
@handle_errors
def codebook_history(project, limit, fmt):
    """Changes to the codebook: who, when, what.

    Example: workbench codebook history eval.wbproj
    """
    with open_project(project) as p:
        rows = p.codebook_history(limit)
    emit([{"at": h["at"], "coder": h["coder"],
           "action": activity_label(h["action"]) if fmt == "table" else h["action"],
           "details": ", ".join(f"{k}={v}" for k, v in h["details"].items())} for h in rows], fmt)


# -- codes ------------------------------------------------------------------------------
@main.group("codes")
def codes_group():
    """Create, rename, move, merge, split and delete codes."""


@codes_group.command("create")
@click.argument("project")
@click.argument("path")
@click.option("--colour", "--color", "colour")
@click.option("--definition")
@click.option("--short")
@click.option("--question", "questions", multiple=True, help="Evaluation question id it serves.")
@coder_option
@handle_errors
def codes_create(project, path, colour, definition, short, questions, coder):
    """Create a code; PATH may be nested: Parent/Child.

    Example: workbench codes create eval.wbproj "Freins/Mobilité" --colour "#D62728"
    """
    with open_project(project, coder) as p:
        cid = p.create_code(path, colour=colour, definition=definition, short=short,
                            questions=questions)
    click.echo(_("Code created: {path} (id {id})").format(path=path, id=cid))


@codes_group.command("rename")
@click.argument("project")
@click.argument("code")
@click.argument("new_name")
@coder_option
@handle_errors
def codes_rename(project, code, new_name, coder):
    """Rename a code. Example: workbench codes rename eval.wbproj Freins/Transport Mobilité"""
    with open_project(project, coder) as p:
        p.rename_code(code, new_name)
    click.echo(_("Renamed: {old} → {new}").format(old=code, new=new_name))


@codes_group.command("move")
@click.argument("project")
@click.argument("code")
@click.argument("parent")
@coder_option
@handle_errors
def codes_move(project, code, parent, coder):
    """Move a code under PARENT ("/" for the top level); codings follow.

    Example: workbench codes move eval.wbproj Mobilité Freins
    """
    with open_project(project, coder) as p:
        p.move_code(code, None if parent == "/" else parent)
    click.echo(_("Moved: {code} → {parent}").format(
        code=code, parent=_("(top level)") if parent == "/" else parent))


@codes_group.command("merge")
@click.argument("project")
@click.argument("source")
@click.argument("target")
@coder_option
@handle_errors
def codes_merge(project, source, target, coder):
    """Merge SOURCE into TARGET (codings, sub-codes, questions, memos follow).

    Example: workbench codes merge eval.wbproj "Freins/Transport" "Freins/Mobilité"
    """
    with open_project(project, coder) as p:
        n = p.merge_codes(source, target)
    click.echo(ngettext("Merged: {source} → {target} ({n} coding moved)",
                        "Merged: {source} → {target} ({n} codings moved)", n).format(
        source=source, target=target, n=n))


@codes_group.command("split")
@click.argument("project")
@click.argument("code")
@click.option("--part", "parts", multiple=True, required=True,
              help="NAME=CODING_ID,CODING_ID... : a new sub-code and the codings it takes.")
@coder_option
@handle_errors
def codes_split(project, code, parts, coder):
    """Split a code into sub-codes, moving the listed codings to each.

    Example: workbench codes split eval.wbproj Freins --part "Permis=12,15" --part "Transports=18"
    """
    spec = {}
    for part in parts:
        name, _sep, ids = part.partition("=")
        try:
            spec[name.strip()] = [int(i) for i in ids.split(",") if i.strip()]
        except ValueError:
            raise click.BadParameter(_("{part!r}: use NAME=ID,ID").format(part=part),
                                     param_hint="--part") from None
    with open_project(project, coder) as p:
        created = p.split_code(code, spec)
    click.echo(_("Codes created: {codes}").format(
        codes=", ".join(f"{k} ({v})" for k, v in created.items())))


@codes_group.command("delete")
@click.argument("project")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Confirm deleting the codings it carries.")
@coder_option
@handle_errors
def codes_delete(project, code, yes, coder):
    """Delete a code and its sub-codes (asks for --yes when it carries codings).

    Example: workbench codes delete eval.wbproj "Freins/Autre" --yes
    """
    from workbench.public import ConfirmationRequired
    with open_project(project, coder) as p:
        try:
            n = p.delete_code(code, force=yes)
        except ConfirmationRequired as exc:
            if not click.get_text_stream("stdin").isatty():
                raise UserError(_("{problem} (add --yes)").format(problem=exc)) from None
            if not click.confirm(str(exc)):
                raise UserError(_("nothing deleted")) from None
            n = p.delete_code(code, force=True)
    click.echo(ngettext("Deleted: {code} ({n} coding removed)",
                        "Deleted: {code} ({n} codings removed)", n).format(code=code, n=n))


# -- coding -----------------------------------------------------------------------------
@main.command("code")
@click.argument("project")
@click.argument("doc")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code")
@click.option("--remove", is_flag=True, help="Remove the code's codings overlapping the span.")
@click.option("--memo", help="Attach a memo to the new coding.")
@coder_option
@handle_errors
def code_cmd(project, doc, start, end, code, remove, memo, coder):
    """Apply CODE to characters [START, END) of DOC (or --remove it).

    A coder named with --coder must be registered (`workbench coders add`).

    Example: workbench code eval.wbproj AV-BEN-01 120 348 "Freins/Mobilité" --coder alice
    """
    from click.core import ParameterSource
    if click.get_current_context().get_parameter_source("coder") != ParameterSource.COMMANDLINE:
        coder = None        # $WORKBENCH_CODER or the login name: registered on first use
    with open_project(project, coder) as p:
        if remove:
            n = p.remove_code(doc, code, start, end, coder=coder)
            click.echo(ngettext("{n} coding removed", "{n} codings removed", n).format(n=n))
            return
        cid = p.apply_code(doc, code, start, end, coder=coder)
        if memo:
            p.add_memo("coding", cid, memo)
    click.echo(_("coding no. {id}").format(id=cid))


@main.command("code-segments")
@click.argument("project")
@click.argument("doc")
@click.argument("code")
@click.argument("positions", nargs=-1, type=int, required=True)
@coder_option
@handle_errors
def code_segments_cmd(project, doc, code, positions, coder):
    """Apply CODE to whole segments of DOC, by position (see `docs show --segments`).

    Example: workbench code-segments eval.wbproj AV-BEN-01 "Immersion" 12 13 14
    """
    with open_project(project, coder) as p:
        ids = p.apply_code_to_segments(doc, code, positions, coder=coder)
    click.echo(ngettext("{n} coding", "{n} codings", len(ids)).format(n=len(ids)))


@main.command("codings")
@click.argument("project")
@click.option("--doc")
@click.option("--code")
@format_option
@handle_errors
def codings_cmd(project, doc, code, fmt):
    """List codings of a document or excerpts of a code (private documents left out).

    Example: workbench codings eval.wbproj --code "Freins" --format csv
    """
    with open_project(project) as p:
        if doc:
            p.check_shareable_document(doc)
        if code and not doc:
            rows, columns = p.excerpt_rows(code), p.EXCERPT_COLUMNS
        else:
            rows = p.coding_rows(doc, code=code)
            columns = list(rows[0]) if rows else [*p.DOCUMENT_CODING_COLUMNS, "path"]
        rows = p.shareable_rows(rows, documents="document_id")
    emit_rows(rows, fmt, columns)


@main.command("undo")
@click.argument("project")
@coder_option
@handle_errors
def undo_cmd(project, coder):
    """Undo your last change (also after a restart). Example: workbench undo eval.wbproj"""
    with open_project(project, coder) as p:
        label = p.undo()
    click.echo(_("Undone: {label}").format(label=activity_label(label)) if label
               else _("Nothing to undo"))


@main.command("redo")
@click.argument("project")
@coder_option
@handle_errors
def redo_cmd(project, coder):
    """Redo what you last undid. Example: workbench redo eval.wbproj"""
    with open_project(project, coder) as p:
        label = p.redo()
    click.echo(_("Redone: {label}").format(label=activity_label(label)) if label
               else _("Nothing to redo"))


# -- autocoding -------------------------------------------------------------------------
@main.command("autocode")
@click.argument("project")
@click.argument("code")
@click.option("--keyword", help="Word or phrase (accent/case-insensitive); a|b for several.")
@click.option("--regex", help="Python regular expression.")
@click.option("--lemma", help="Lemma family with spaCy (former, formé, formations).")
@click.option("--speaker", help="Every turn of this speaker label.")
@click.option("--actor", "actor_rule", type=ACTOR,
              help="Every respondent turn in documents of this actor type.")
@click.option("--position", help="Respondent turns N or N-M (from 1).")
@click.option("--section", help="Turns under an interview-guide heading containing this text.")
@click.option("--span", type=click.Choice(["segment", "match", "sentence"]), default="segment",
              show_default=True, help="Code the whole turn, the match, or its sentence.")
@click.option("--programme", help="Only documents of this programme.")
@click.option("--in-actor", "actor_scope", type=ACTOR,
              help="Only documents of this actor type.")
@click.option("--include-interviewer", is_flag=True, help="Also search interviewer turns.")
@click.option("--dry-run", is_flag=True, help="Preview: list what would be coded, write nothing.")
@click.option("--accept", is_flag=True, help="Write accepted codings instead of candidates.")
@format_option
@coder_option
@handle_errors
def autocode_cmd(project, code, keyword, regex, lemma, speaker, actor_rule, position, section,
                 span, programme, actor_scope, include_interviewer, dry_run, accept, fmt, coder):
    """Code by rule; candidates are reviewed with `workbench review`.

    Example: workbench autocode eval.wbproj "Immersion" --lemma immersion --dry-run
    """
    from workbench.public import Rule
    given = [(k, v) for k, v in (("keyword", keyword), ("regex", regex), ("lemma", lemma),
                                 ("speaker", speaker), ("actor", actor_rule),
                                 ("position", position), ("section", section)) if v]
    if len(given) != 1:
        raise click.UsageError(_("give exactly one of --keyword, --regex, --lemma, --speaker, "
                                 "--actor, --position, --section"))
    kind, pattern = given[0]
    rule = Rule(kind, pattern, span=span, programme=programme, actor_type=actor_scope,
                include_interviewer=include_interviewer)
    with open_project(project, coder) as p:
        p.code_id(code)
        if dry_run:
            df = p.shareable(p.autocode_preview(rule, progress=Progress(N_("Matching"))),
                             documents="document_id")
            click.echo(_("{passages} in {segments} of {documents} would be coded").format(
                passages=ngettext("{n} passage", "{n} passages", len(df)).format(n=len(df)),
                segments=_n_segments(df["segment_id"].nunique()),
                documents=_n_documents(df["document_id"].nunique())), err=True)
            if fmt == "table":
                df = df.assign(text=df["text"].fillna("").astype(str).str.slice(0, 70))[
                    ["document", "position", "speaker", "start", "end", "text"]]
            emit(df, fmt)
            return
        result = p.autocode(code, rule, accept=accept, progress=Progress(N_("Coding")))
    n = result["written"]
    written = (ngettext("{n} accepted coding written", "{n} accepted codings written", n) if accept
               else ngettext("{n} candidate coding written", "{n} candidate codings written", n))
    click.echo(_("{written} ({passages} in {segments}, {documents})").format(
        written=written.format(n=n),
        passages=ngettext("{n} passage", "{n} passages", result["matches"]).format(
            n=result["matches"]),
        segments=_n_segments(result["segments"]), documents=_n_documents(result["documents"])))


@main.command("review")
@click.argument("project")
@click.option("--code")
@click.option("--rule", help="Only candidates of this rule (as listed).")
@click.option("--origin", type=click.Choice(["rule", "topic", "imported", "manual"]))
@click.option("--accept", "accept_ids", help="Accept candidates: 'all' or ids 1,2,3.")
@click.option("--remove", "remove_ids", help="Remove candidates: 'all' or ids 1,2,3.")
@format_option
@coder_option
@handle_errors
def review_cmd(project, code, rule, origin, accept_ids, remove_ids, fmt, coder):
    """List candidate codings (from rules or topics), accept or remove them in bulk.

    Example: workbench review eval.wbproj --code Immersion --accept all
    """
    with open_project(project, coder) as p:
        df = p.review_candidates(code=code, rule=rule, origin=origin)

        def pick(spec):
            if spec == "all":
                return list(df["id"])
            try:
                wanted = {int(x) for x in spec.split(",") if x.strip()}
            except ValueError:
                raise click.BadParameter(_("use 'all' or comma-separated ids")) from None
            unknown = wanted - set(df["id"])
            if unknown:
                raise UserError(_("not candidate codings here: {ids}").format(ids=sorted(unknown)))
            return sorted(wanted)

        if accept_ids:
            n = p.accept_codings(pick(accept_ids))
            click.echo(ngettext("{n} coding accepted", "{n} codings accepted", n).format(n=n))
        elif remove_ids:
            n = p.reject_codings(pick(remove_ids))
            click.echo(ngettext("{n} coding removed", "{n} codings removed", n).format(n=n))
        else:
            df = p.shareable(df, documents="document_id")
            if fmt == "table":
                df = df.assign(text=df["text"].fillna("").astype(str).str.slice(0, 60))[
                    ["id", "code", "origin", "rule", "document_id", "start", "end", "text"]]
            emit(df, fmt)


# -- memos and coders -------------------------------------------------------------------
@main.group("memo")
def memo_group():
    """Memos on the project, documents, codes or codings."""


@memo_group.command("add")
@click.argument("project")
@click.argument("target_type", type=click.Choice(["project", "document", "code", "coding",
                                                  "participant", "question"]))
@click.argument("target")
@click.argument("text")
@click.option("--title")
@click.option("--private", is_flag=True, help="Never exported.")
@coder_option
@handle_errors
def memo_add(project, target_type, target, text, title, private, coder):
    """Write a memo. TARGET is a document, code path, coding id... ('-' for the project).

    Example: workbench memo add eval.wbproj code "Freins/Mobilité" "Revoir avec B."
    """
    with open_project(project, coder) as p:
        mid = p.add_memo(target_type, None if target == "-" else target, text, title=title,
                         private=private)
    click.echo(_("memo no. {id}").format(id=mid))


@memo_group.command("list")
@click.argument("project")
@click.option("--type", "target_type")
@format_option
@handle_errors
def memo_list(project, target_type, fmt):
    """List memos (private ones, and memos on private documents, left out).

    Example: workbench memo list eval.wbproj --type coding"""
    with open_project(project) as p:
        emit(p.shareable(p.memos(target_type), memos=True), fmt)
