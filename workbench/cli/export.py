"""``workbench export``: Word reports, spreadsheets and REFI-QDA projects.

Files go to ``exports/`` next to the project unless OUT is given.
"""
from __future__ import annotations

import json

import click

from workbench.cli._base import Progress, handle_errors, main, open_project, say
from workbench.i18n import N_, _, ngettext

_SECTIONS = ("summary", "codebook", "questions", "excerpts", "matrices", "trajectories", "charts",
             "methods")


@main.group("export")
def export_group() -> None:
    """Export reports (.docx), tables (.xlsx/.csv) and whole projects (.qdpx)."""


def _out(value: str | None):
    return value or None


@export_group.command("report")
@click.argument("project")
@click.argument("out", required=False)
@click.option("--section", "sections", multiple=True, type=click.Choice(_SECTIONS),
              help="Section to include (repeatable; default: all).")
@click.option("--by", type=click.Choice(["code", "question"]), default="code", show_default=True,
              help="Group the excerpts by code or by evaluation question.")
@click.option("--attribute", "attributes", multiple=True,
              help="Participant attribute shown with each quote (repeatable).")
@click.option("--joint", "joint", multiple=True,
              help="Participant attribute for a joint display (repeatable).")
@click.option("--template", type=click.Path(dir_okay=False, exists=True),
              help="A .docx whose styles the report uses.")
@click.option("--title", help="Report title.")
@click.option("--dossier-quotes", type=int, default=5, show_default=True,
              help="At most N quotes in each question's dossier (the others go to the "
                   "excerpts annex; every passage is quoted once).")
@click.option("--programme", "programmes", multiple=True,
              help="Only this programme's interviews and questions (repeatable).")
@click.option("--question", "questions", multiple=True,
              help="Only this evaluation question (repeatable).")
@click.option("--coder", "coders", multiple=True, metavar="NAME",
              help="Count only this coder's codings (repeatable; default: every coder, "
                   "merged).")
@click.option("--consensus", is_flag=True, help="Count only the adjudicated codings.")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Interviews from this date.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Interviews up to this date.")
@click.option("--author", help="Document author (default: the team).")
@click.option("--language", type=click.Choice(("fr", "en")),
              help="Report language (default: the interface's, French in a French locale).")
@click.option("--paper", type=click.Choice(("a4", "letter")),
              help="Paper size (default: A4, Letter where the locale asks for it).")
@click.option("--wave", "waves", multiple=True, help="Only the interviews of this wave "
                                                     "(repeatable).")
@click.option("--dossiers-by", metavar="KIND",
              help="Group each question's quotes by case of this kind (e.g. site).")
@click.option("--trajectory", "trajectories", multiple=True, metavar="CODE|QUESTION",
              help="Add the trajectories across waves on this code or evaluation question, "
                   "with the change between successive waves (repeatable).")
@click.option("--trajectory-participant", "trajectory_participants", multiple=True,
              help="Participant shown in the trajectories (repeatable; default: those "
                   "interviewed at two waves or more).")
@click.option("--sampling", "sampling", multiple=True, metavar="ATTRIBUTE",
              help="Add the sampling frame by this stratum to the methods annex (repeatable; "
                   "a*b crosses two).")
@click.option("--saturation", "saturation", multiple=True, metavar="FIELD",
              help="Add the saturation curve and table to the methods annex, interviews "
                   "grouped by this document field (repeatable: programme, actor_type...; "
                   "'none' for one group).")
@handle_errors
def report_cmd(project, out, sections, by, attributes, joint, template, title, dossier_quotes,
               programmes, questions, coders, consensus, date_from, date_to, author, language,
               paper, waves, dossiers_by, trajectories, trajectory_participants, sampling,
               saturation):
    """A Word report: scope, codebook, question dossiers, excerpts annex, matrices,
    charts, methods annex.  Every passage in scope is quoted once.

    Example: workbench export report eval.wbproj avenir.docx --programme avenir --joint emploi_6m
    """
    from workbench.cli.query import chosen_coders
    with open_project(project) as p:
        path = p.export_report(_out(out), sections=sections or _SECTIONS, by=by,
                               attributes=attributes, joint_attributes=joint, template=template,
                               title=title, dossier_quotes=dossier_quotes,
                               programmes=programmes, questions=questions,
                               coders=chosen_coders(coders, consensus), date_from=date_from,
                               date_to=date_to, author=author, language=language, paper=paper,
                               waves=waves, dossiers_by=dossiers_by, trajectories=trajectories,
                               trajectory_participants=list(trajectory_participants) or None,
                               sampling=sampling,
                               saturation=None if not saturation else
                               [s for s in saturation if s != "none"],
                               progress=Progress(N_("Report")))
    click.echo(_("Written: {path}").format(path=path))


@export_group.command("excerpts")
@click.argument("project")
@click.argument("out", required=False)
@click.option("--by", type=click.Choice(["code", "question"]), default="code", show_default=True)
@click.option("--code", "codes", multiple=True, help="Only this code (and sub-codes); repeatable.")
@click.option("--attribute", "attributes", multiple=True,
              help="Participant attribute shown with each quote (repeatable).")
@click.option("--template", type=click.Path(dir_okay=False, exists=True))
@click.option("--programme", "programmes", multiple=True, help="Only this programme (repeatable).")
@click.option("--coder", "coders", multiple=True, metavar="NAME",
              help="Only this coder's codings (repeatable; default: every coder, merged).")
@click.option("--consensus", is_flag=True, help="Only the adjudicated codings.")
@handle_errors
def excerpts_cmd(project, out, by, codes, attributes, template, programmes, coders, consensus):
    """Coded passages with their sources (each once), to .docx, .xlsx or .csv.

    Example: workbench export excerpts eval.wbproj extraits.xlsx --code Parcours
    """
    from workbench.cli.query import chosen_coders
    with open_project(project) as p:
        path = p.export_excerpts(_out(out), by=by, codes=codes or None, attributes=attributes,
                                 template=template, programmes=programmes,
                                 coders=chosen_coders(coders, consensus),
                                 progress=Progress(N_("Excerpts")))
    click.echo(_("Written: {path}").format(path=path))


@export_group.command("codebook")
@click.argument("project")
@click.argument("out", required=False)
@click.option("--template", type=click.Path(dir_okay=False, exists=True))
@handle_errors
def codebook_cmd(project, out, template):
    """The codebook with questions, definitions and counts (.docx, .xlsx or .csv).

    Example: workbench export codebook eval.wbproj grille.docx
    """
    with open_project(project) as p:
        path = p.export_codebook_report(_out(out), template=template)
    click.echo(_("Written: {path}").format(path=path))


@export_group.command("table")
@click.argument("project")
@click.argument("out", required=False)
@click.option("--name", "names", multiple=True,
              help="Table to export (repeatable; default: all). participants_x_codes is the "
                   "participant × code matrix.")
@click.option("--binary", is_flag=True, help="Participant matrix as 0/1 instead of counts.")
@click.option("--with-attributes", is_flag=True,
              help="Participant matrix with the participants' attributes.")
@handle_errors
def table_cmd(project, out, names, binary, with_attributes):
    """Tables to .xlsx (one sheet each) or .csv (one file each).

    Example: workbench export table eval.wbproj matrice.csv --name participants_x_codes
    """
    with open_project(project) as p:
        if list(names) == ["participants_x_codes"] and (binary or with_attributes or out):
            paths = [p.export_participant_matrix(_out(out), binary=binary,
                                                 with_attributes=with_attributes)]
        else:
            paths = p.export_tables(_out(out), names=names or None, progress=Progress(N_("Tables")))
    for path in paths:
        click.echo(_("Written: {path}").format(path=path))


@export_group.command("qdpx")
@click.argument("project")
@click.argument("out", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help=N_("table: one line saying what was written; json: the "
                                         "whole summary (counts, what privacy left out, "
                                         "warnings)."))
@handle_errors
def qdpx_cmd(project, out, fmt):
    """The whole project as REFI-QDA .qdpx (NVivo, ATLAS.ti, MAXQDA, QualCoder).

    Example: workbench export qdpx eval.wbproj projet.qdpx
    """
    with open_project(project) as p:
        summary = p.export_qdpx(_out(out), progress=Progress(N_("REFI-QDA")))
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    n = {key: int(summary.get(key) or 0) for key in ("documents", "codes", "codings", "memos")}
    counts = ", ".join((
        ngettext("{n} document", "{n} documents", n["documents"]).format(n=n["documents"]),
        ngettext("{n} code", "{n} codes", n["codes"]).format(n=n["codes"]),
        ngettext("{n} coding", "{n} codings", n["codings"]).format(n=n["codings"]),
        ngettext("{n} memo", "{n} memos", n["memos"]).format(n=n["memos"])))
    click.echo(_("Written: {path} ({counts})").format(path=summary["path"], counts=counts))
    for line in summary.get("warnings") or ():
        say(line)

