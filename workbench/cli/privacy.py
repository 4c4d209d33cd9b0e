"""``workbench privacy``: detect personal data, review it, write a pseudonymised copy,
re-identify with the key.  See docs/privacy.md."""
from __future__ import annotations

import json
import os

import click

from workbench.cli._base import (Progress, UserError, coder_option, emit, format_option,
                                 handle_errors, main, open_project)
from workbench.i18n import _, ngettext, pgettext
from workbench.labels import privacy_category_label

PASSPHRASE_ENV = "WORKBENCH_KEY_PASSPHRASE"


@main.group("privacy")
def privacy_group() -> None:
    """Pseudonymisation (RGPD): detect, review, write a pseudonymised copy, re-identify."""


def _headers() -> dict[str, str]:
    """The privacy tables' column names in the user's language (table format only: csv and
    json keep the identifiers)."""
    return {"category": pgettext("privacy column", "category"),
            "label": pgettext("privacy column", "label"),
            "variants": pgettext("privacy column", "written forms"),
            "occurrences": pgettext("privacy column", "occurrences"),
            "sources": pgettext("privacy column", "found by"),
            "entity": pgettext("privacy column", "candidate"),
            "before": pgettext("privacy column", "before"),
            "after": pgettext("privacy column", "after"),
            "what": pgettext("privacy column", "what"),
            "form": pgettext("privacy column", "written form"),
            "pseudonym": pgettext("privacy column", "pseudonym"),
            "accepted": pgettext("privacy column", "accepted"),
            "rejected": pgettext("privacy column", "rejected"),
            "pending": pgettext("privacy column", "to review"),
            "style": pgettext("privacy column", "pseudonyms"),
            "seed": pgettext("privacy column", "seed"),
            "export_guard": pgettext("privacy column", "export guard")}


def _emit(rows, fmt: str) -> None:
    import pandas as pd
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    if fmt == "table":
        headers = _headers()
        df = df.rename(columns=lambda c: headers.get(c, c))
        df.columns.name = None
    emit(df, fmt)


@privacy_group.command("detect")
@click.argument("project")
@click.option("--lists", type=click.Path(dir_okay=False, exists=True),
              help="The team's lists (YAML): terms by category (employer, small_town...).")
@click.option("--no-ner", is_flag=True, help="Without spaCy's named-entity recogniser.")
@click.option("--rescan", is_flag=True, help="Scan every document again, not only new ones.")
@format_option
@coder_option
@handle_errors
def detect_cmd(project, lists, no_ner, rescan, fmt, coder):
    """Find candidates: names, places, organisations, contact details, NIR, dates of birth.

    Only documents not scanned yet are read (all of them with --rescan); decisions already
    taken apply to new documents.

    Example: workbench privacy detect eval.wbproj --lists listes.yaml
    """
    with open_project(project, coder) as p:
        report = p.detect_personal_data(lists=lists, use_ner=not no_ner, rescan=rescan,
                                        progress=Progress(_("Detection")))
        counts = p.privacy_candidates()
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(p.privacy_detection_line(report, seconds=True))
    if len(counts):
        table = counts.groupby(["category", "status"]).size().unstack(fill_value=0)
        _emit(table.reset_index(), fmt)


@privacy_group.command("list")
@click.argument("project")
@click.option("--category", help="Only this category (person, place, employer...).")
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected"]))
@format_option
@handle_errors
def list_cmd(project, category, status, fmt):
    """Candidates grouped by entity: written forms, occurrences, decision, action.

    Example: workbench privacy list eval.wbproj --status pending
    """
    with open_project(project) as p:
        _emit(p.privacy_candidates(category=category, status=status), fmt)


@privacy_group.command("show")
@click.argument("project")
@click.argument("entity", required=False)
@click.option("--context", type=int, default=40, show_default=True,
              help="Characters shown on each side.")
@click.option("--limit", type=int, help="At most N occurrences.")
@format_option
@handle_errors
def show_cmd(project, entity, context, limit, fmt):
    """Occurrences in context: of one candidate (its number or a written form), or all.

    Example: workbench privacy show eval.wbproj Karima
    """
    with open_project(project) as p:
        _emit(p.privacy_occurrences(entity, context=context, limit=limit), fmt)


def _decide(status: str):
    @click.argument("project")
    @click.argument("entities", nargs=-1)
    @click.option("--category", help="Every pending candidate of this category.")
    @coder_option
    @handle_errors
    def command(project, entities, category, coder):
        if not entities and not category:
            raise click.UsageError(_("give candidates (numbers or written forms) or --category"))
        with open_project(project, coder) as p:
            n = p.privacy_decide(entities, status) if entities else 0
            if category:
                n += p.privacy_decide_category(category, status)
        if status == "accepted":
            text = ngettext("{n} candidate accepted", "{n} candidates accepted", n)
        elif status == "rejected":
            text = ngettext("{n} candidate rejected", "{n} candidates rejected", n)
        else:
            text = ngettext("{n} candidate to review", "{n} candidates to review", n)
        click.echo(text.format(n=n))
    return command


privacy_group.command("accept", help="Accept candidates: they will be replaced (unless their "
                      "category is kept).\n\nExample: workbench privacy accept eval.wbproj "
                      "Karima 12 --category employer")(_decide("accepted"))
privacy_group.command("reject", help="Reject candidates: they stay as they are (not personal "
                      "data).\n\nExample: workbench privacy reject eval.wbproj Parcours")(
    _decide("rejected"))
privacy_group.command("reset", help="Put candidates back to pending.\n\nExample: workbench "
                      "privacy reset eval.wbproj Karima")(_decide("pending"))


@privacy_group.command("merge")
@click.argument("project")
@click.argument("target")
@click.argument("others", nargs=-1, required=True)
@coder_option
@handle_errors
def merge_cmd(project, target, others, coder):
    """Merge candidates into one entity (one person written several ways).

    Example: workbench privacy merge eval.wbproj "Karima B." Karima "Mme B."
    """
    with open_project(project, coder) as p:
        tid = p.privacy_merge(target, others)
        row = p.privacy_candidates().set_index("id").loc[tid]
    click.echo(_("candidate {id}: {variants}").format(id=tid, variants=row["variants"]))


@privacy_group.command("split")
@click.argument("project")
@click.argument("variant")
@coder_option
@handle_errors
def split_cmd(project, variant, coder):
    """Give a written form a candidate of its own (it was grouped with another person).

    Example: workbench privacy split eval.wbproj "Nadia"
    """
    with open_project(project, coder) as p:
        new = p.privacy_split(variant)
    click.echo(_("candidate {id}: {variants}").format(id=new, variants=variant))


@privacy_group.command("add")
@click.argument("project")
@click.argument("text")
@click.option("--category", required=True, help="person, place, employer, small_town...")
@click.option("--to", "to", help="Another written form of this candidate (number or form).")
@click.option("--ignore-case", is_flag=True, help="Also find it in lower or upper case.")
@coder_option
@handle_errors
def add_cmd(project, text, category, to, ignore_case, coder):
    """Add what detection missed (accepted); every document is searched for it.

    Example: workbench privacy add eval.wbproj "Torigny-les-Villes" --category small_town
    """
    with open_project(project, coder) as p:
        eid = p.privacy_add_term(text, category, to=to, ignore_case=ignore_case)
        row = p.privacy_candidates().set_index("id").loc[eid]
    click.echo(ngettext("candidate {id} ({category}): {variants}; {n} occurrence",
                        "candidate {id} ({category}): {variants}; {n} occurrences",
                        int(row["occurrences"])).format(
        id=eid, category=row["category"], variants=row["variants"], n=row["occurrences"]))


@privacy_group.command("remove")
@click.argument("project")
@click.argument("variant")
@coder_option
@handle_errors
def remove_cmd(project, variant, coder):
    """Forget a written form (added by mistake).

    Example: workbench privacy remove eval.wbproj "Vire"
    """
    with open_project(project, coder) as p:
        p.privacy_remove_term(variant)
    click.echo(_("removed {v}").format(v=variant))


@privacy_group.command("recategorise")
@click.argument("project")
@click.argument("entity")
@click.argument("category")
@coder_option
@handle_errors
def recategorise_cmd(project, entity, category, coder):
    """Move a candidate to another category (an organisation that is an employer).

    Example: workbench privacy recategorise eval.wbproj Renault employer
    """
    with open_project(project, coder) as p:
        p.privacy_set_category(entity, category)
    click.echo(f"{entity}: {category}")


@privacy_group.command("policy")
@click.argument("project")
@click.argument("category", required=False)
@click.argument("action", required=False, type=click.Choice(["replace", "keep"]))
@click.option("--label", help="The tag word ([Employeur 2]).")
@click.option("--kind", type=click.Choice(["person", "place", "organisation", "identifier"]),
              help="For a new category: how realistic substitutes are made.")
@format_option
@coder_option
@handle_errors
def policy_cmd(project, category, action, label, kind, fmt, coder):
    """Show the categories, or set what happens to one: replace or keep.

    Example: workbench privacy policy eval.wbproj training_body keep
    """
    with open_project(project, coder) as p:
        if category:
            if not action:
                raise click.UsageError(_("give the action: replace or keep"))
            p.set_privacy_policy(category, action, label=label, kind=kind)
        rows = [{"category": c.name, "label": c.label, "kind": c.kind, "action": c.action,
                 "what": _(c.title) if c.title else ""}
                for c in p.privacy_categories().values()]
    _emit(rows, fmt)


@privacy_group.command("settings")
@click.argument("project")
@click.option("--style", type=click.Choice(["tags", "realistic"]),
              help="Pseudonyms as tags ([Prénom 12]) or realistic French substitutes.")
@click.option("--seed", type=int, help="Seed of the realistic substitutes.")
@click.option("--export-guard", type=click.Choice(["warn", "error", "off"]),
              help="Exports of documents not pseudonymised: warn, refuse (error), or off.")
@format_option
@handle_errors
def settings_cmd(project, style, seed, export_guard, fmt):
    """Show or change the project's pseudonymisation settings.

    Example: workbench privacy settings eval.wbproj --style realistic --export-guard error
    """
    with open_project(project) as p:
        settings = p.set_privacy_settings(style=style, seed=seed, export_guard=export_guard)
    _emit([settings], fmt)


@privacy_group.command("preview")
@click.argument("project")
@click.argument("entity")
@click.option("--style", type=click.Choice(["tags", "realistic"]))
@format_option
@handle_errors
def preview_cmd(project, entity, style, fmt):
    """The pseudonym each written form of a candidate will get.

    Example: workbench privacy preview eval.wbproj Karima --style realistic
    """
    with open_project(project) as p:
        forms = p.privacy_preview(entity, style=style)
    _emit([{"form": k, "pseudonym": v} for k, v in forms.items()], fmt)


def _passphrase(confirm: bool) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    return click.prompt(_("Passphrase of the key"), hide_input=True,
                        confirmation_prompt=confirm, err=True)


@privacy_group.command("apply")
@click.argument("project")
@click.argument("out")
@click.option("--key", "key", required=True, type=click.Path(dir_okay=False),
              help="Where to write the key (original ↔ pseudonym): a file of its own, kept "
                   "apart from the data.")
@click.option("--encrypt", is_flag=True,
              help=f"Encrypt the key with a passphrase (asked, or ${PASSPHRASE_ENV}).")
@click.option("--style", type=click.Choice(["tags", "realistic"]),
              help="Tags ([Prénom 12]) or realistic substitutes (default: the project's).")
@click.option("--require-review", is_flag=True,
              help="Refuse while candidates are pending (default: they are replaced).")
@click.option("--overwrite", is_flag=True, help="Replace OUT and the key if they exist.")
@coder_option
@handle_errors
def apply_cmd(project, out, key, encrypt, style, require_review, overwrite, coder):
    """Write a pseudonymised copy of the project (the project itself is not changed).

    Every coding, segment, speaker, memo and the search index follow the new text.

    Example: workbench privacy apply eval.wbproj eval-pseudo.wbproj --key ~/cles/eval.key --encrypt
    """
    passphrase = _passphrase(confirm=True) if encrypt else None
    with open_project(project, coder) as p:
        s = p.pseudonymise(out, key, passphrase=passphrase, style=style,
                           require_review=require_review, overwrite=overwrite,
                           progress=Progress(_("Pseudonymisation")))
    reps = s.get("replacements", {})
    click.echo(_("wrote {out} ({n} replacements: {detail})").format(
        out=s["out"], n=sum(reps.values()),
        detail=", ".join(f"{privacy_category_label(c)} {n}" for c, n in reps.items()) or "-"))
    click.echo(_("wrote the key {key}{enc}: keep it apart from the data, never send it with "
                 "an export").format(key=s["key"], enc=_(" (encrypted)") if s["encrypted"] else ""))


@privacy_group.command("reidentify")
@click.argument("source")
@click.argument("out")
@click.option("--key", "key", required=True, type=click.Path(dir_okay=False, exists=True),
              help="The key file written with the pseudonymised copy.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
@handle_errors
def reidentify_cmd(source, out, key, overwrite):
    """Put the original names back in a pseudonymised project or export (.wbproj, .docx,
    .xlsx, .qdpx, .csv, .txt...), as a new file.

    Example: workbench privacy reidentify rapport-pseudo.docx rapport.docx --key ~/cles/eval.key
    """
    from workbench.public import is_encrypted
    from workbench.public import reidentify
    passphrase = _passphrase(confirm=False) if is_encrypted(key) else None
    result = reidentify(key, source, out, passphrase=passphrase, overwrite=overwrite)
    click.echo(_("wrote {out} ({n} replacements)").format(out=result["out"],
                                                         n=result["replacements"]))


@privacy_group.command("summary")
@click.argument("project")
@format_option
@handle_errors
def summary_cmd(project, fmt):
    """What was pseudonymised and how (the methods annex says the same).

    Example: workbench privacy summary eval-pseudo.wbproj
    """
    with open_project(project) as p:
        if fmt == "json":
            click.echo(json.dumps(p.privacy_summary(), ensure_ascii=False, indent=2))
            return
        lines = p.privacy_summary_lines()
    if fmt == "csv":
        emit([{"summary": line} for line in lines], fmt)
    else:
        for line in lines:
            click.echo(line)


__all__ = ["privacy_group", "UserError"]
