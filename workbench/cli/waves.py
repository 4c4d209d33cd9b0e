"""Waves, cases and the views that follow them: ``waves``, ``cases``, ``docs set``,
``trajectory``, ``changes``, ``sampling``, ``saturation``."""
from __future__ import annotations

import click

from workbench.cli._base import (UserError, coder_option, emit, format_option, handle_errors,
                                 main, open_project, say)
from workbench.cli.ingest import docs_group
from workbench.cli.query import (_NOTE, _check_output, _shorten, chosen_coders, codes_option,
                                 common_options, out_options, say_counts, write, write_sheets)
from workbench.i18n import _, ngettext


def _note(text: str) -> None:
    """A sentence saying what a table holds: on stderr, and in an .xlsx's notes sheet."""
    _NOTE["text"] = (_NOTE.get("text", "") + " " + text).strip()
    click.echo(text, err=True)


# -- waves -----------------------------------------------------------------------------------
@main.group("waves")
def waves_group():
    """The project's waves of interviews (entrée, sortie, 6 mois...), in order."""


@waves_group.command("list")
@click.argument("project")
@format_option
@handle_errors
def waves_list(project, fmt):
    """The waves in order, with their interviews.

    Example: workbench waves list eval.wbproj --format csv
    """
    with open_project(project) as p:
        emit(p.waves(), fmt)


@waves_group.command("set")
@click.argument("project")
@click.argument("names", nargs=-1, required=True)
@coder_option
@handle_errors
def waves_set(project, names, coder):
    """Define the waves, in order: new ones are added, the others reordered, those left out
    deleted (refused while interviews belong to them).

    Example: workbench waves set eval.wbproj entrée sortie "6 mois"
    """
    with open_project(project, coder) as p:
        order = p.set_waves(list(names))
    click.echo(" < ".join(order))


@waves_group.command("add")
@click.argument("project")
@click.argument("name")
@click.option("--after", help="Put it just after this wave (default: last).")
@click.option("--description", help="What the wave is (e.g. six months after exit).")
@coder_option
@handle_errors
def waves_add(project, name, after, description, coder):
    """Add a wave.

    Example: workbench waves add eval.wbproj "12 mois" --after "6 mois"
    """
    with open_project(project, coder) as p:
        order = p.add_wave(name, after=after, description=description)
    click.echo(" < ".join(order))


@waves_group.command("rename")
@click.argument("project")
@click.argument("old")
@click.argument("new")
@coder_option
@handle_errors
def waves_rename(project, old, new, coder):
    """Rename a wave (its interviews follow).

    Example: workbench waves rename eval.wbproj "6 mois" "six mois"
    """
    with open_project(project, coder) as p:
        p.rename_wave(old, new)
        order = p.wave_names()
    click.echo(" < ".join(order))


@waves_group.command("delete")
@click.argument("project")
@click.argument("name")
@click.option("--force", is_flag=True, help="Delete it even when interviews belong to it "
                                            "(they are left without a wave).")
@coder_option
@handle_errors
def waves_delete(project, name, force, coder):
    """Delete a wave.

    Example: workbench waves delete eval.wbproj "12 mois" --force
    """
    with open_project(project, coder) as p:
        p.delete_wave(name, force=force)
        order = p.wave_names()
    click.echo(" < ".join(order) or _("(no wave)"))


@docs_group.command("set")
@click.argument("project")
@click.argument("documents", nargs=-1, required=True)
@click.option("--wave", help="The interviews' wave (one of the project's).")
@click.option("--new-wave", is_flag=True, help="Add --wave after the project's waves if new.")
@click.option("--no-wave", is_flag=True, help="Take the interviews out of any wave.")
@click.option("--date", "interview_date", help="Interview date (DD/MM/YYYY or YYYY-MM-DD).")
@click.option("--interviewer", help="Interviewer name.")
@click.option("--site", help="Site / town (document metadata).")
@click.option("--programme", help="Programme (one the project knows).")
@click.option("--new-programme", is_flag=True, help="Create --programme if unknown.")
@coder_option
@handle_errors
def docs_set(project, documents, wave, new_wave, no_wave, interview_date, interviewer, site,
             programme, new_programme, coder):
    """Change the metadata of documents (wave, date, interviewer, site, programme).

    Example: workbench docs set eval.wbproj AV-BEN-01 AV-BEN-02 --wave sortie
    """
    if wave and no_wave:
        raise click.UsageError(_("give --wave or --no-wave, not both"))
    changes = {k: v for k, v in (("interview_date", interview_date),
                                 ("interviewer", interviewer), ("site", site),
                                 ("programme", programme), ("wave", wave)) if v}
    if no_wave:
        changes["wave"] = None
    if not changes:
        raise click.UsageError(_("nothing to change: give --wave, --date, --interviewer, "
                                 "--site or --programme"))
    with open_project(project, coder) as p:
        ids = [p.document_id(d) for d in documents]        # all known before any change
        for doc_id in ids:
            p.update_document(doc_id, new_programme=new_programme, new_wave=new_wave,
                              **changes)
    click.echo(ngettext("{n} document changed", "{n} documents changed", len(ids)).format(
        n=len(ids)))


# -- cases -----------------------------------------------------------------------------------
@main.group("cases")
def cases_group():
    """Cases at several levels: sites and organisations with their own attributes."""


@cases_group.command("import")
@click.argument("project")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", required=True,
              help="Kind of the cases in the file: site, organisation, employeur...")
@click.option("--id-column", help="Name of the ID column (default: detected).")
@click.option("--type", "types", multiple=True, metavar="NAME=TYPE[:LEVELS]",
              help="Override a field's type for the whole project (repeatable).")
@click.option("--sheet", help="Sheet name for .xlsx files.")
@coder_option
@handle_errors
def cases_import(project, path, kind, id_column, types, sheet, coder):
    """Import or update cases from a CSV/XLSX table: an ID column, optional name, parent
    and description columns, typed attributes in the others.

    Example: workbench cases import eval.wbproj organismes.xlsx --kind organisation
    """
    from workbench.cli.ingest import _with_override_hint
    from workbench.public import TableTypeError, parse_type_override
    overrides = {}
    for spec in types:
        name, type_, levels = parse_type_override(spec)
        overrides[name] = (type_, levels)
    with open_project(project, coder) as p:
        try:
            r = p.import_cases(path, kind, id_column=id_column, types=overrides or None,
                               sheet=sheet)
        except TableTypeError as exc:
            raise UserError(_with_override_hint(exc, "--type")) from None
    click.echo(ngettext("{kind}: {inserted} case added, {updated} updated; fields: {fields}",
                        "{kind}: {inserted} cases added, {updated} updated; fields: {fields}",
                        r["inserted"]).format(
        kind=r["kind"], inserted=r["inserted"], updated=r["updated"],
        fields=", ".join(f"{n} ({t})" for n, t in r["fields"]) or _("none")))
    for line in r["notes"] + r["warnings"]:
        say(line)


@cases_group.command("list")
@click.argument("project")
@click.option("--kind", help="Only the cases of this kind.")
@out_options
@handle_errors
def cases_list(project, kind, fmt, output):
    """The cases with their fields and links (private fields left out).

    Example: workbench cases list eval.wbproj --kind site
    """
    _check_output(fmt, output)
    with open_project(project) as p:
        df = p.cases(kind, include_private=False)
    write(df, fmt, output, "cases")


@cases_group.command("links")
@click.argument("project")
@click.argument("case", required=False)
@out_options
@handle_errors
def cases_links(project, case, fmt, output):
    """The links of every case (or of one) to documents, speakers and participants;
    private documents left out.

    Example: workbench cases links eval.wbproj OF-EVR --format csv
    """
    _check_output(fmt, output)
    with open_project(project) as p:
        df = p.case_links(case, include_private=False)
    write(df, fmt, output, "links")


@cases_group.command("link")
@click.argument("project")
@click.argument("case")
@click.option("--document", help="The document (name or id) the case is linked to.")
@click.option("--speaker", default="", help="Only this speaker of the document (label as written).")
@click.option("--participant", help="The participant the case is linked to.")
@click.option("--remove", is_flag=True, help="Remove the link instead.")
@coder_option
@handle_errors
def cases_link(project, case, document, speaker, participant, remove, coder):
    """Link a case to a document, one speaker of it, or a participant.

    Example: workbench cases link eval.wbproj OF-ALPHA --document AV-FOR-01 --speaker Julien
    """
    with open_project(project, coder) as p:
        if remove:
            n = p.unlink_case(case, document=document, speaker=speaker or None,
                              participant=participant)
            click.echo(ngettext("{n} link removed", "{n} links removed", n).format(n=n))
        else:
            added = p.link_case(case, document=document, speaker=speaker,
                                participant=participant)
            click.echo(_("linked") if added else _("already linked"))


@cases_group.command("import-links")
@click.argument("project")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--sheet", help="Sheet name for .xlsx files.")
@coder_option
@handle_errors
def cases_import_links(project, path, sheet, coder):
    """Links from a table: a case column and, on each row, a document (and speaker) or a
    participant.

    Example: workbench cases import-links eval.wbproj liens.csv
    """
    with open_project(project, coder) as p:
        r = p.import_case_links(path, sheet=sheet)
    click.echo(ngettext("{added} link added ({rows} rows read)",
                        "{added} links added ({rows} rows read)", r["added"]).format(**r))


@cases_group.command("delete")
@click.argument("project")
@click.argument("case")
@coder_option
@handle_errors
def cases_delete(project, case, coder):
    """Delete a case with its values and links.

    Example: workbench cases delete eval.wbproj S-EVR
    """
    with open_project(project, coder) as p:
        p.delete_case(case)
    click.echo(_("deleted"))


# -- views -------------------------------------------------------------------------------------
def _themes(codes, questions):
    codes = list(codes) or None
    qs = None if not questions else ("all" if "all" in questions else list(questions))
    if codes is None and qs is None:
        raise click.UsageError(_("give --code or --question"))
    return codes, qs


@main.command("trajectory")
@click.argument("project")
@codes_option
@click.option("--question", "questions", multiple=True,
              help="Evaluation question id (its linked codes with their sub-codes).")
@click.option("--participant", "participants", multiple=True,
              help="Participant ID (repeatable; default: every interviewed participant passing "
                   "--where).")
@click.option("--wave", "waves", multiple=True, help="Only these waves, in this order.")
@click.option("--wide", is_flag=True, help="One column per wave.")
@click.option("--exact", is_flag=True, help="Codes without their sub-codes.")
@click.option("--max-chars", type=int, help="Cut each cell's text after this many characters.")
@common_options
@out_options
@handle_errors
def trajectory_cmd(project, codes, questions, participants, waves, wide, exact, max_chars,
                   where, coders, consensus, status, fmt, output):
    """What each wave's interview says on a code or question, participant by participant.

    Example: workbench trajectory eval.wbproj --code Freins --participant P0001 --wide
    """
    _check_output(fmt, output)
    codes, qs = _themes(codes, questions)
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        df = p.trajectory(codes, questions=qs, participants=list(participants) or None,
                          where=where, waves=list(waves) or None,
                          layout="wide" if wide else "long", descendants=not exact,
                          status=status, coders=who, max_chars=max_chars)
        say_counts(p, count="passages", coders=who, status=status, descendants=not exact)
    if fmt == "table":
        df = _shorten(df, 70 if wide else 90)
    write(df, fmt, output, "trajectory")


@main.command("changes")
@click.argument("project")
@click.argument("first")
@click.argument("second")
@codes_option
@click.option("--question", "questions", multiple=True, help="Evaluation question id.")
@click.option("--exact", is_flag=True, help="Codes without their sub-codes.")
@click.option("--who", is_flag=True, help="List the participants in each group.")
@common_options
@out_options
@handle_errors
def changes_cmd(project, first, second, codes, questions, exact, who, where, coders, consensus,
                status, fmt, output):
    """Participants whose words carry a theme at one wave and not the other (appears,
    disappears, persists), among those interviewed at both.

    Example: workbench changes eval.wbproj sortie "6 mois" --code Freins --code Emploi
    """
    _check_output(fmt, output)
    codes, qs = _themes(codes, questions)
    chosen = chosen_coders(coders, consensus)
    with open_project(project) as p:
        df = p.wave_changes(first, second, codes, questions=qs, where=where,
                            descendants=not exact, status=status, coders=chosen, who=who)
        say_counts(p, count="participants", coders=chosen, status=status,
                   descendants=not exact)
    _note(df.attrs["definition"])
    write(df, fmt, output, "changes")


@main.command("sampling")
@click.argument("project")
@click.argument("strata", nargs=-1)
@click.option("--by-wave", is_flag=True, help="One row per stratum value and wave, with who "
                                              "was followed and lost since the previous wave.")
@click.option("--losses", is_flag=True, help="List the participants lost between waves.")
@click.option("--where", help="Only the sampled participants passing this filter on "
                              "participant attributes.")
@click.option("--bins", type=int, default=4, show_default=True,
              help="Quantile groups for numeric and date strata.")
@out_options
@handle_errors
def sampling_cmd(project, strata, by_wave, losses, where, bins, fmt, output):
    """Who was interviewed against who was sampled (the participant table), by stratum:
    counts, shares, coverage and the gaps. STRATA are participant attributes (a*b crosses
    two).

    Example: workbench sampling eval.wbproj programme groupe canal_entree niveau_qualification
    """
    _check_output(fmt, output)
    if not strata and not losses:
        raise click.UsageError(_("name at least one stratum (a participant attribute), or "
                                 "--losses"))
    with open_project(project) as p:
        frames = {}
        if strata:
            frames["sampling"] = p.sampling_frame(list(strata), where=where, by_wave=by_wave,
                                                  bins=bins)
        if losses:
            frames["losses"] = p.sampling_losses(where=where)
    _note(_("Sampled: the rows of the participant table; interviewed: linked to at least one "
            "interview (private interviews left out), coded or not; gap = share among the "
            "interviewed minus share of the frame, in points."))
    if fmt == "xlsx":
        write_sheets(frames, output)
        click.echo(_("Written: {path}").format(path=output), err=True)
        return
    for i, (name, df) in enumerate(frames.items()):
        if len(frames) > 1 and fmt == "table":
            click.echo(("\n" if i else "") + f"# {name}")
        write(df, fmt, output if len(frames) == 1 else None, name)


@main.command("saturation")
@click.argument("project")
@click.option("--by", "by", multiple=True,
              help="Group interviews by this document field (repeatable; default: programme "
                   "and actor_type; 'none' for one group).")
@codes_option
@click.option("--chart", type=click.Path(dir_okay=False),
              help="Also draw the curve of distinct codes per interview into this .png.")
@common_options
@out_options
@handle_errors
def saturation_cmd(project, by, codes, chart, where, coders, consensus, status, fmt, output):
    """New codes and sub-codes per successive interview, in interview-date order: the
    evidence for when to stop interviewing.

    Example: workbench saturation eval.wbproj --by programme --by actor_type --chart sat.png
    """
    _check_output(fmt, output)
    groups = () if list(by) == ["none"] else (list(by) or ("programme", "actor_type"))
    who = chosen_coders(coders, consensus)
    with open_project(project) as p:
        df = p.saturation(groups, codes=list(codes) or None, where=where, status=status,
                          coders=who)
        say_counts(p, count=_("the codes each interview carries (a sub-code makes its parent "
                              "present), new when met for the first time in the group, "
                              "interviews in interview-date order"), coders=who, status=status)
    if chart:
        from workbench.public import saturation_chart
        png = saturation_chart(df, _("New codes per interview"))
        try:
            with open(chart, "wb") as fh:
                fh.write(png)
        except OSError as exc:
            raise UserError(_("{path}: cannot write ({reason})").format(
                path=chart, reason=exc.strerror)) from None
        click.echo(_("Written: {path}").format(path=chart), err=True)
    if fmt == "table":
        df = _shorten(df, 60)
    write(df, fmt, output, "saturation")
