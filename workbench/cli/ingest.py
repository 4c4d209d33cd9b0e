"""Transcripts and participants: import, docs, participants, search."""
from __future__ import annotations

import click

from workbench.cli._base import (ACTOR, Progress, UserError, coder_option, emit, format_option,
                                 handle_errors, main, open_project, say)
from workbench.i18n import N_, _, colon, ngettext
from workbench.labels import actor_label, import_status_label, memo_target_label


#: The fields `docs show` prints, with their labels.
DOCUMENT_FIELDS = {"programme": N_("Programme"), "actor_type": N_("Actor type"),
                   "wave": N_("Wave"), "interview_date": N_("Interview date"), "interviewer": N_("Interviewer"),
                   "site": N_("Site"), "language": N_("Language"), "source_file": N_("Source file"),
                   "source_format": N_("Format"), "encoding": N_("Encoding"),
                   "word_count": N_("Words")}


def _with_override_hint(exc, option: str) -> str:
    """A type refusal's message, with the options that would override the types."""
    message = str(exc)
    if exc.conflicts:
        message += "\n" + _("To change them for the whole project: {options}").format(
            options=" ".join(f"{option} {name}={fits}"
                             for name, (_old, fits) in sorted(exc.conflicts.items())))
    return message


def _parse_speaker_map(values) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(_("{value!r}: use LABEL=PARTICIPANT_ID").format(value=v),
                                     param_hint="--speaker")
        label, pid = v.rsplit("=", 1)
        out[label.strip()] = pid.strip()
    return out


def _parse_columns(value):
    from workbench.public import parse_column_mapping
    try:
        return parse_column_mapping(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from None


@main.command("import")
@click.argument("project")
@click.argument("paths", nargs=-1)
@click.option("--programme", help="Programme of the imported documents (e.g. avenir); one the "
              "project knows (PIC programmes, codebooks', documents') unless --new-programme.")
@click.option("--new-programme", is_flag=True,
              help="Create the programmes named here or in the manifest that the project does "
                   "not know yet.")
@click.option("--field-type", "field_types", multiple=True,
              help="Type of a manifest's extra column for the whole project: NAME=TYPE[:LEVELS] "
                   "as for participants import --type (repeatable).")
@click.option("--actor", "actor_type", type=ACTOR, help="Actor type.")
@click.option("--participant", "participants", multiple=True, help="Participant ID (repeatable).")
@click.option("--speaker", "speakers", multiple=True,
              help="Speaker label = participant ID, e.g. --speaker 'Karima=P0001' (repeatable).")
@click.option("--manifest", type=click.Path(dir_okay=False), help="CSV or YAML manifest.")
@click.option("--encoding", help="Force the text encoding (e.g. cp1252) instead of detecting it.")
@click.option("--date", "interview_date",
              help="Interview date: DD/MM/YYYY (day first) or YYYY-MM-DD, a time allowed.")
@click.option("--interviewer", help="Interviewer name.")
@click.option("--site", help="Site / town.")
@click.option("--name", help="Document name (single file only).")
@click.option("--on-conflict", type=click.Choice(("keep", "replace")), default=None,
              help=".qdpx: when the file's value for something already in the project differs "
                   "(a participant's age, a code's definition, a code's name...): keep the "
                   "project's value (the default) or take the file's. Each difference is "
                   "reported; a value that contradicts an attribute's type is never written. "
                   "To choose for each difference, use workbench merge.")
@click.option("--dry-run", is_flag=True,
              help=".qdpx: report what is new, what matches the project and what conflicts; "
                   "write nothing.")
@click.option("--columns", callback=lambda ctx, param, value: _parse_columns(value),
              help="Table transcripts (.csv, .xlsx): which column holds what, "
                   "e.g. --columns 'speaker=Qui,text=Dit,start=Début,tags=Codes' (a column "
                   "by its header or its number from 1).")
@click.option("--wave", help="Wave of the imported interviews (e.g. sortie): one of the "
                               "project's waves (workbench waves list).")
@click.option("--new-wave", is_flag=True,
              help="Add --wave after the project's waves when it is not one of them.")
@click.option("--case", "cases", multiple=True, metavar="ID",
              help="Case (site, organisation) the interviews belong to; Label=ID for one "
                   "speaker (repeatable).")
@click.option("--tags-as-codes", is_flag=True,
              help="Import a table transcript's tags column as codings (codes matched by "
                   "path, or created).")
@format_option
@coder_option
@handle_errors
def import_cmd(project, paths, programme, new_programme, field_types, actor_type, participants,
               speakers, manifest, encoding, interview_date, interviewer, site, name, on_conflict,
               dry_run, columns, tags_as_codes, wave, new_wave, cases, fmt, coder):
    """Import transcripts (files, folders, globs, or a manifest); .qdpx imports a REFI-QDA project.

    Exit status 1 if any file failed (the others are kept).

    Example: workbench import eval.wbproj entretiens/ --programme avenir --actor beneficiary
    """
    from workbench.public import TableTypeError, parse_type_override
    qdpx = [p for p in paths if p.lower().endswith(".qdpx")]
    if qdpx:
        if len(paths) != 1:
            raise click.UsageError(_("import one .qdpx project at a time, without other files"))
        with open_project(project, coder) as p:
            if not hasattr(p, "import_qdpx"):
                raise UserError(_("REFI-QDA .qdpx import is not available in this build"))
            summary = p.import_qdpx(qdpx[0], on_conflict=on_conflict or "keep",
                                    dry_run=dry_run, progress=Progress(N_("Importing")))
        _emit_exchange_report(summary, fmt, project)
        return
    if on_conflict or dry_run:
        raise click.UsageError(_("--on-conflict and --dry-run apply to a .qdpx import"))
    if name and len(paths) != 1:
        raise click.UsageError(_("--name needs exactly one file"))
    overrides = {}
    for spec in field_types:
        field_name, type_, levels = parse_type_override(spec)
        overrides[field_name] = (type_, levels)
    with open_project(project, coder) as p:
        try:
            report = p.import_files(paths, programme=programme, new_programme=new_programme,
                                    actor_type=actor_type, participants=participants,
                                    speakers=_parse_speaker_map(speakers), manifest=manifest,
                                    encoding=encoding, interview_date=interview_date,
                                    interviewer=interviewer, site=site, name=name,
                                    field_types=overrides or None, columns=columns,
                                    tags_as_codes=tags_as_codes, wave=wave,
                                    new_wave=new_wave, cases=cases,
                                    progress=Progress(N_("Importing")))
        except TableTypeError as exc:
            raise UserError(_with_override_hint(exc, "--field-type")) from None
    rows = [{"file": r.path,
             "status": import_status_label(r.status) if fmt == "table" else r.status,
             "document": r.name or "",
             "message": r.message or "; ".join(r.warnings)} for r in report.results]
    emit(rows, fmt)
    for r in report.failed:
        say(r.message)
    for note in report.notes:
        say(note)
    click.echo(report.summary(), err=True)
    if report.failed:
        raise SystemExit(1)


def _emit_exchange_report(summary: dict, fmt: str, project: str = "PROJECT") -> None:
    """A REFI-QDA import report: one row per kind of element (new, matched) on stdout
    (json: the whole report), each conflict and warning on stderr."""
    if fmt == "json":
        emit([{k: v for k, v in summary.items() if k != "ids"}], fmt)
    else:
        kinds = [k for k in ("coders", "codes", "attributes", "documents", "selections",
                             "codings", "participants", "memos", "questions", "groups", "links",
                             "cases", "waves")
                 if summary["new"].get(k) or summary["matched"].get(k)]
        emit([{"element": k, "new": summary["new"].get(k, 0),
               "matched": summary["matched"].get(k, 0)} for k in kinds], fmt)
    for line in summary["warnings"]:
        say(line)
    n = len(summary["conflicts"])
    if n:
        replaced = sum(1 for c in summary["conflicts"] if c["kept"] != "project")
        click.echo(ngettext("{n} conflict: {kept} kept the project's value, {replaced} took the "
                            "file's", "{n} conflicts: {kept} kept the project's value, "
                            "{replaced} took the file's", n).format(
            n=n, kept=n - replaced, replaced=replaced), err=True)
        if any(c["how"] == "default" for c in summary["conflicts"]):
            click.echo(_("an import keeps the project's values by default; to choose for "
                         "each conflict: workbench merge {project} {file} --preview").format(
                project=project, file=summary["file"]), err=True)
    if summary.get("dry_run"):
        click.echo(_("dry run: nothing was written"), err=True)


@main.group("docs")
def docs_group():
    """List and show documents."""


@docs_group.command("list")
@click.argument("project")
@click.option("--programme")
@click.option("--actor", "actor_type", type=ACTOR)
@click.option("--where", "attribute", help="Participant attribute filter ATTR=VALUE.")
@click.option("--uncoded", is_flag=True, help="Only documents without codings.")
@format_option
@handle_errors
def docs_list(project, programme, actor_type, attribute, uncoded, fmt):
    """List documents with their metadata and counts.

    Example: workbench docs list eval.wbproj --programme avenir --format csv
    """
    attr = None
    if attribute:
        if "=" not in attribute:
            raise click.BadParameter(_("use ATTR=VALUE"), param_hint="--where")
        attr = tuple(s.strip() for s in attribute.split("=", 1))
    with open_project(project) as p:
        df = p.documents(programme=programme, actor_type=actor_type, attribute=attr,
                         coded=False if uncoded else None)
    if fmt == "table":
        df = df[["id", "name", "programme", "actor_type", "interview_date", "source_format",
                 "word_count", "segments", "codings", "participants"]]
    emit(df, fmt)


@docs_group.command("show")
@click.argument("project")
@click.argument("doc")
@click.option("--segments", "show_segments", is_flag=True, help="List segments with offsets.")
@format_option
@handle_errors
def docs_show(project, doc, show_segments, fmt):
    """Show a document's metadata and text (or its segments).

    Example: workbench docs show eval.wbproj AV-BEN-01 --segments
    """
    with open_project(project) as p:
        d = p.document(doc)
        p.check_shareable_document(d.id)
        if show_segments or fmt != "table":
            text = p.text(d.id)
            rows = [{"position": s.position, "speaker": s.speaker or "", "start": s.start,
                     "end": s.end, "body_start": s.words[0], "timestamp": s.timestamp,
                     "section": s.section or "", "front_matter": s.front_matter,
                     "text": text[s.start:s.end]}
                    for s in p.segments(d.id)]
            emit(rows, fmt)
            return
        links = p.document_participants(d.id)
        click.echo(f"# {d.name}")
        for key, label in DOCUMENT_FIELDS.items():
            value = getattr(d, key)
            if key == "actor_type":
                value = actor_label(value)
            click.echo(colon(_(label)) + f" {value if value is not None else ''}")
        for key, value in p.document_field_values(d.id).items():
            click.echo(colon(key) + f" {value if value is not None else ''}")
        click.echo(colon(_("Participants")) + " " + ", ".join(
            (l["participant_id"] + (f" ({l['speaker']})" if l["speaker"] else "")) for l in links))
        click.echo("")
        click.echo(p.text(d.id))


@main.command("search")
@click.argument("project")
@click.argument("text")
@click.option("--programme")
@click.option("--actor", "actor_type", type=ACTOR)
@click.option("--where", "attribute", help="Participant attribute filter ATTR=VALUE.")
@click.option("--limit", default=50, show_default=True)
@click.option("--relevance", is_flag=True, help="Best matches first (default: transcript order).")
@format_option
@handle_errors
def search_cmd(project, text, programme, actor_type, attribute, limit, relevance, fmt):
    """Full-text search over speaker turns, accent-insensitive ("creche" finds "crèche").

    Words are combined with AND; "a phrase" in quotes; a trailing * for prefixes.

    Example: workbench search eval.wbproj "immersion entreprise" --actor trainer
    """
    attr = tuple(s.strip() for s in attribute.split("=", 1)) if attribute else None
    with open_project(project) as p:
        df = p.search(text, programme=programme, actor_type=actor_type, attribute=attr, limit=limit,
                      order="relevance" if relevance else "document", include_private=False)
    if fmt == "table":
        df = df[["document", "actor_type", "speaker", "start", "end", "snippet"]]
    emit(df, fmt)


@main.group("participants")
def participants_group():
    """The quantitative study's participants: import, list, link."""


@participants_group.command("import")
@click.argument("project")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id-column", help="Name of the participant ID column (default: detected).")
@click.option("--type", "types", multiple=True,
              help="Set a type for the whole project: NAME=nominal|ordinal|numeric|date|boolean, "
                   "ordinal with levels in order NAME=ordinal:low,mid,high (repeatable). "
                   "Without it, attributes the project has keep their type.")
@click.option("--sheet", help="Sheet name for .xlsx files.")
@coder_option
@handle_errors
def participants_import(project, file, id_column, types, sheet, coder):
    """Import or update the participant table (CSV, TSV, UTF-16 text or XLSX); links are kept.

    Attribute types belong to the project: a file whose values do not fit them is
    refused with every such row listed, unless --type changes the type explicitly.

    Example: workbench participants import eval.wbproj participants.csv --type age=numeric
    """
    from workbench.public import TableTypeError, parse_type_override
    overrides = {}
    for spec in types:
        name, type_, levels = parse_type_override(spec)
        overrides[name] = (type_, levels)
    with open_project(project, coder) as p:
        try:
            result = p.import_participants(file, id_column=id_column, types=overrides,
                                           sheet=sheet)
        except TableTypeError as exc:
            raise UserError(_with_override_hint(exc, "--type")) from None
    for w in result["warnings"]:
        say(w)
    click.echo(_("{added} participants added, {updated} updated (ID column: {column})").format(
        added=result["inserted"], updated=result["updated"], column=result["id_column"]))
    retyped = {name: (old, new) for name, old, new in result["retyped"]}
    for name, type_ in result["attributes"]:
        if name in retyped:
            line = _("{name}: {old} → {new} (for the whole project)").format(
                name=name, old=retyped[name][0], new=type_)
        elif name in result["new"]:
            line = _("{name}: {type} (new)").format(name=name, type=type_)
        else:
            line = f"{name}: {type_}"
        click.echo("  " + line)
    for note in result["notes"]:
        click.echo("  " + note)


@participants_group.command("list")
@click.argument("project")
@format_option
@handle_errors
def participants_list(project, fmt):
    """List participants with their attributes and linked documents.

    Example: workbench participants list eval.wbproj --format csv > participants.csv
    """
    with open_project(project) as p:
        emit(p.shareable(p.participants(), attributes=True), fmt)


@participants_group.command("link")
@click.argument("project")
@click.argument("doc")
@click.argument("participant_id")
@click.option("--speaker", default="", help="Link one speaker of the document (label as written).")
@click.option("--remove", is_flag=True, help="Remove the link instead.")
@coder_option
@handle_errors
def participants_link(project, doc, participant_id, speaker, remove, coder):
    """Link a document (or one of its speakers) to a participant ID.

    Example: workbench participants link eval.wbproj AV-BEN-01 P0001 --speaker Karima
    """
    with open_project(project, coder) as p:
        if remove:
            n = p.unlink_participant(doc, participant_id, speaker or None)
            click.echo(ngettext("{n} link removed", "{n} links removed", n).format(n=n))
        else:
            added = p.link_participant(doc, participant_id, speaker)
            click.echo(_("linked") if added else _("already linked"))


@main.command("private")
@click.argument("project")
@click.argument("kind", type=click.Choice(["document", "memo", "attribute", "case_field"]))
@click.argument("ref")
@click.option("--off", is_flag=True, help="Make it exportable again.")
@coder_option
@handle_errors
def private_cmd(project, kind, ref, off, coder):
    """Mark a document, memo, participant attribute or case field private: never exported.

    Example: workbench private eval.wbproj attribute date_naissance
    """
    with open_project(project, coder) as p:
        p.set_private(kind, ref, not off)
    what = memo_target_label(kind) if kind != "attribute" else _("attribute")
    click.echo(colon(f"{what} {ref}") + " " + (_("exportable") if off else _("private")))
