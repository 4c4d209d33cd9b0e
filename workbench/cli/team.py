"""Working as a team: coders, copies for colleagues, merge, agreement, adjudication.

See docs/user-guide.md, "Working as a team".
"""
from __future__ import annotations

import click
import numpy as np
import pandas as pd

from workbench.public import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, LEVELS
from workbench.public import UNIT_KINDS
from workbench.cli._base import (UserError, coder_option, emit, format_option, handle_errors,
                                 main, open_project)
from workbench.cli.query import _check_output, out_options, write
from workbench.i18n import _, decimal, interval, ngettext, percent


def method_table(df: pd.DataFrame) -> pd.DataFrame:
    """What a methods section must state: coders, unit, documents, resamples, seed."""
    a = df.attrs
    rows = [(_("coders"), ", ".join(a.get("coders", []))),
            (_("unit"), str(a.get("unit", ""))),
            (_("documents"), str(a.get("documents", ""))),
            (_("confidence intervals"),
             _("{level} percentile bootstrap, {n} resamples of units, seed {seed}").format(
                 level=percent(a.get("confidence", 0.95)), n=a.get("resamples"),
                 seed=a.get("seed")))]
    return pd.DataFrame(rows, columns=[_("setting"), _("value")])


def for_table(df: pd.DataFrame) -> pd.DataFrame:
    """Rounded, with intervals as "[low, high]" and undefined values spelt out."""
    out = pd.DataFrame({"scope": df["scope"], "code": df["code"], "units": df["units"]})
    for col in ("prevalence", "agreement", "cohen_kappa", "fleiss_kappa", "alpha"):
        if col not in df.columns:
            continue
        if df[col].isna().all() and col != "alpha":
            continue
        values = []
        for _i, r in df.iterrows():
            v = r[col]
            if pd.isna(v):
                values.append(_("undefined"))
                continue
            text = decimal(v, 3)
            lo, hi = r.get(f"{col}_low"), r.get(f"{col}_high")
            if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
                text += " " + interval(lo, hi, 2)
            values.append(text)
        out[col] = values
    for col in df.columns:
        if col.startswith("coded: "):
            out[col] = df[col]
    out["note"] = df["note"].fillna("")
    return out


@main.command("agreement")
@click.argument("project")
@click.argument("coders", nargs=-1)
@click.option("--code", "codes", multiple=True, help="Only these codes (repeatable).")
@click.option("--unit", type=click.Choice(UNIT_KINDS), default="turn", show_default=True,
              help="What is compared: speaker turns (paragraphs in documents without turns), "
                   "sentences, paragraphs, or characters (unitizing alpha).")
@click.option("--document", "documents", multiple=True,
              help="Only these documents, all coders counted on them (repeatable).")
@click.option("--values", "values_of", metavar="CODE",
              help="Compare the sub-codes of CODE as values of one variable.")
@click.option("--level", type=click.Choice(LEVELS), default="nominal", show_default=True,
              help="Level of measurement of --values.")
@click.option("--interviewer", is_flag=True, help="Count interviewer turns too.")
@click.option("--resamples", type=click.IntRange(0, 100_000), default=BOOTSTRAP_RESAMPLES,
              show_default=True, help="Bootstrap resamples for the 95 % intervals.")
@click.option("--seed", type=int, default=BOOTSTRAP_SEED, show_default=True,
              help="Seed of the bootstrap.")
@out_options
@handle_errors
def agreement_cmd(project, coders, codes, unit, documents, values_of, level, interviewer,
                  resamples, seed, fmt, output):
    """Inter-coder agreement per code, per parent code (sub-codes pooled) and overall:
    percent agreement, Cohen's kappa (two coders), Fleiss' kappa and Krippendorff's
    alpha, with bootstrap 95 % intervals. Without CODERS: every coder with codings
    except the consensus.

    Examples: workbench agreement eval.wbproj "Camille Roux" "Yanis Belkacem";
    workbench agreement eval.wbproj --unit character --format xlsx -o accord.xlsx
    """
    _check_output(fmt, output)
    with open_project(project) as p:
        if values_of:
            df = p.value_agreement(values_of, *coders, level=level,
                                   unit=unit if unit != "character" else "turn",
                                   documents=documents or None,
                                   include_interviewer=interviewer, resamples=resamples,
                                   seed=seed)
        else:
            df = p.agreement(*coders, codes=codes or None, unit=unit,
                             documents=documents or None, include_interviewer=interviewer,
                             resamples=resamples, seed=seed)
    if fmt == "table" and not values_of:
        shown = for_table(df)
        write(shown, fmt, output)
        click.echo(_("Coders: {coders}. Unit: {unit}. {level} intervals: {n} bootstrap "
                     "resamples (seed {seed}).").format(coders=", ".join(df.attrs["coders"]),
                                                       unit=unit, level=percent(0.95),
                                                       n=resamples, seed=seed), err=True)
        return
    if fmt == "xlsx":
        from workbench.public import write_xlsx
        write_xlsx({_("agreement"): df.drop(columns=["code_id"], errors="ignore"),
                    _("method"): method_table(df)}, output)
        click.echo(ngettext("wrote {n} row to {path}", "wrote {n} rows to {path}",
                            len(df)).format(n=len(df), path=output), err=True)
        return
    write(df.replace({np.nan: None}) if fmt == "json" else df, fmt, output)


# -- coders ---------------------------------------------------------------------------
@main.group("coders")
def coders_group():
    """The project's coders: who codes, under which name."""


@coders_group.command("add")
@click.argument("project")
@click.argument("name")
@handle_errors
def coders_add(project, name):
    """Register a coder. Example: workbench coders add eval.wbproj "Camille Roux"."""
    with open_project(project) as p:
        p.add_coder(name)
    click.echo(_("coder {name} added").format(name=name))


@coders_group.command("list")
@click.argument("project")
@format_option
@handle_errors
def coders_list(project, fmt):
    """List coders and how many codings each made.

    Example: workbench coders list eval.wbproj --format csv
    """
    with open_project(project) as p:
        emit(p.coders(), fmt)


@coders_group.command("rename")
@click.argument("project")
@click.argument("old")
@click.argument("new")
@handle_errors
def coders_rename(project, old, new):
    """Rename a coder everywhere (e.g. a login name into a person's name).

    Example: workbench coders rename eval.wbproj jdupont "Jeanne Dupont"
    """
    with open_project(project) as p:
        p.rename_coder(old, new)
    click.echo(_("coder {old} is now {new}").format(old=old, new=new))


@coders_group.command("me")
@click.argument("project")
@click.argument("name", required=False)
@handle_errors
def coders_me(project, name):
    """Show, or set, the name you code under in this project (remembered for you).

    Example: workbench coders me eval.wbproj "Camille Roux"
    """
    with open_project(project) as p:
        if name:
            p.set_coder(name)
            click.echo(_("you code as {name} in this project").format(name=p.coder))
        elif p.needs_coder_name():
            raise UserError(_("{path}: no coder name yet; set it with: workbench coders me "
                              "{path} \"Your Name\"").format(path=project))
        else:
            click.echo(p.coder)


# -- share and merge ---------------------------------------------------------------------
@main.command("share")
@click.argument("project")
@click.argument("out")
@click.option("--coder", "for_coder", required=True, help="The colleague the copy is for.")
@click.option("--blind", is_flag=True,
              help="Leave out everyone else's codings and coding memos (blind double coding).")
@handle_errors
def share_cmd(project, out, for_coder, blind):
    """Write a copy of the project for a colleague (same documents, codebook and
    participants); merge it back later with `workbench merge`.

    Example: workbench share eval.wbproj eval-camille.wbproj --coder "Camille Roux" --blind
    """
    with open_project(project) as p:
        info = p.share(out, for_coder, blind=blind)
    msg = _("wrote {path} for {coder}").format(path=info["path"], coder=info["coder"])
    if blind:
        msg += " " + _("(blind: {n} other codings left out)").format(n=info["codings_removed"])
    click.echo(msg)


@main.command("merge")
@click.argument("project")
@click.argument("other")
@click.option("--preview", is_flag=True, help="Show what the merge would do; write nothing.")
@click.option("--resolve", "resolutions", multiple=True, metavar="CONFLICT=CHOICE",
              help="The choice for one conflict (repeatable), e.g. code:1f2e…=theirs.")
@click.option("--prefer", type=click.Choice(("ours", "theirs", "both", "add", "skip")),
              help="The choice for every conflict that offers it.")
@coder_option
@handle_errors
def merge_cmd(project, other, preview, resolutions, prefer, coder):
    """Bring in a colleague's codings, memos, new codes and new documents from a
    .wbproj or a .qdpx written by any tool. Matched by identity: merging the same
    file twice changes nothing. Conflicts are listed with their choices and nothing is
    written until each has one. One undoable step (`workbench undo`). The same
    operation as `workbench import PROJECT X.qdpx`, which keeps the project's values
    instead of asking.

    Example: workbench merge eval.wbproj eval-camille.wbproj --preview
    """
    choices = {}
    for item in resolutions:
        key, sep, value = item.rpartition("=")
        if not sep or not key:
            raise click.UsageError(_("--resolve takes CONFLICT=CHOICE, got {item!r}").format(
                item=item))
        choices[key.strip()] = value.strip()
    with open_project(project, coder) as p:
        report = p.merge(other, choices=choices, prefer=prefer, preview=preview)
    click.echo(_("Preview of merging {source} (nothing written):").format(source=other)
               if preview else _("Merged {source}:").format(source=other))
    for line in report.summary():
        click.echo("  " + line)
    for w in report.warnings:
        click.echo("  " + _("warning: {w}").format(w=w), err=True)


# -- comparison and adjudication -------------------------------------------------------------
@main.command("compare")
@click.argument("project")
@click.argument("document")
@click.argument("coder_a")
@click.argument("coder_b")
@click.option("--code", "codes", multiple=True, help="Only these codes (repeatable).")
@click.option("--differences", is_flag=True, help="Only the places where they differ.")
@format_option
@handle_errors
def compare_cmd(project, document, coder_a, coder_b, codes, differences, fmt):
    """Where two coders agree and differ in a document, code by code.

    Example: workbench compare eval.wbproj AV-BEN-01 "Camille Roux" "Yanis Belkacem"
    """
    with open_project(project) as p:
        df = p.comparison(document, coder_a, coder_b, codes=codes or None)
    if differences:
        df = df[df["status"] != "agree"]
    emit(df.drop(columns=["code_id"]), fmt)


@main.group("adjudicate")
def adjudicate_group():
    """Settle disagreements into consensus codings."""


@adjudicate_group.command("place")
@click.argument("project")
@click.argument("document")
@click.argument("code")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("decision", type=click.Choice(("a", "b", "both", "neither")))
@click.argument("coder_a")
@click.argument("coder_b")
@click.option("--memo", help="Why (kept with the consensus codings).")
@coder_option
@handle_errors
def adjudicate_place(project, document, code, start, end, decision, coder_a, coder_b, memo,
                     coder):
    """Keep A's codings, B's, both or neither at one place (START END as listed by
    `workbench compare`); the result is coded by the consensus coder.

    Example: workbench adjudicate place eval.wbproj AV-BEN-01 Immersion 120 480 a Camille Yanis
    """
    with open_project(project, coder) as p:
        ids = p.adjudicate(document, code, start, end, decision, coder_a, coder_b, memo=memo)
        who = p.coder
    click.echo(ngettext("decided {decision} by {who}: {n} consensus coding",
                        "decided {decision} by {who}: {n} consensus codings", len(ids)).format(
        decision=decision, who=who, n=len(ids)))


@adjudicate_group.command("agreements")
@click.argument("project")
@click.argument("document")
@click.argument("coder_a")
@click.argument("coder_b")
@coder_option
@handle_errors
def adjudicate_agreements(project, document, coder_a, coder_b, coder):
    """Copy every place where both coders coded exactly alike into the consensus.

    Example: workbench adjudicate agreements eval.wbproj AV-BEN-01 "Camille Roux" "Yanis Belkacem"
    """
    with open_project(project, coder) as p:
        n = p.accept_agreements(document, coder_a, coder_b)
    click.echo(ngettext("{n} agreed place copied to the consensus",
                        "{n} agreed places copied to the consensus", n).format(n=n))


@adjudicate_group.command("list")
@click.argument("project")
@click.option("--document")
@format_option
@handle_errors
def adjudicate_list(project, document, fmt):
    """Decisions made so far: where, what, by whom, with their memo.

    Example: workbench adjudicate list eval.wbproj --document AV-BEN-01
    """
    with open_project(project) as p:
        emit(p.adjudications(document), fmt)
