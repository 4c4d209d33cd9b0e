"""Working as a team: agreement between coders.

See docs/user-guide.md, "Working as a team".
"""
from __future__ import annotations

import click
import numpy as np
import pandas as pd

from workbench.agreement.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, LEVELS
from workbench.agreement.units import UNIT_KINDS
from workbench.cli._base import handle_errors, main, open_project
from workbench.cli.query import _check_output, out_options, write
from workbench.i18n import _


def method_table(df: pd.DataFrame) -> pd.DataFrame:
    """What a methods section must state: coders, unit, documents, resamples, seed."""
    a = df.attrs
    rows = [(_("coders"), ", ".join(a.get("coders", []))),
            (_("unit"), str(a.get("unit", ""))),
            (_("documents"), str(a.get("documents", ""))),
            (_("confidence intervals"),
             _("{level:.0%} percentile bootstrap, {n} resamples of units, seed {seed}").format(
                 level=a.get("confidence", 0.95), n=a.get("resamples"), seed=a.get("seed")))]
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
            text = f"{v:.3f}"
            lo, hi = r.get(f"{col}_low"), r.get(f"{col}_high")
            if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
                text += f" [{lo:.2f}, {hi:.2f}]"
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
        click.echo(_("Coders: {coders}. Unit: {unit}. 95% intervals: {n} bootstrap resamples "
                     "(seed {seed}).").format(coders=", ".join(df.attrs["coders"]),
                                             unit=unit, n=resamples, seed=seed), err=True)
        return
    if fmt == "xlsx":
        from workbench.export.tables import write_xlsx
        write_xlsx({_("agreement"): df.drop(columns=["code_id"], errors="ignore"),
                    _("method"): method_table(df)}, output)
        click.echo(_("wrote {n} row(s) to {path}").format(n=len(df), path=output), err=True)
        return
    write(df.replace({np.nan: None}) if fmt == "json" else df, fmt, output)
