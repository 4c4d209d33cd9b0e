"""Shared CLI plumbing: the main group, opening projects, output formats, errors.

The CLI is a thin layer: open the project, call one facade method, format the result.
Exit codes: 0 success, 1 user error (one line on stderr naming file/line/position),
2 usage error (click).
"""
from __future__ import annotations

import functools
import json
import sqlite3
import sys
import threading
from pathlib import Path

import click

from workbench.cli._i18n import I18nGroup
from workbench.domain import WorkbenchError
from workbench.i18n import N_, _, colon
from workbench.public import ImportFileError
from workbench.public import translate, translate_os_error

FORMATS = ("table", "csv", "json")


def say(message) -> None:
    """One line on stderr, after the program's name (French ``workbench : …``)."""
    click.echo(f"{colon('workbench')} {message}", err=True)


class UserError(click.ClickException):
    exit_code = 1

    def show(self, file=None):
        say(self.format_message())


def handle_errors(fn):
    """Turn domain errors into exit code 1 with a clear message (never a traceback);
    SQLite and output-file errors about the file (disk full, damaged, busy) too."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (WorkbenchError, ImportFileError) as exc:
            raise UserError(str(exc)) from None
        except sqlite3.Error as exc:
            error = translate(exc, kwargs.get("project") or "project")
            if error is exc:
                raise
            raise UserError(str(error)) from None
        except OSError as exc:
            error = translate_os_error(exc)
            if error is exc:
                raise
            raise UserError(str(error)) from None
        except KeyboardInterrupt:
            say(_("interrupted"))
            sys.exit(130)
    return wrapper


def open_project(path: str, coder: str | None = None):
    from workbench.project import Project
    p = Path(path)
    if not p.exists():
        raise UserError(_("{path}: no such project file (create it with: workbench init "
                          "{path})").format(path=path))
    project = Project.open(p, coder=coder)
    # an export of a project that is not pseudonymised says so, on stderr
    project.on_warning = say
    project.on_wait = say
    return project


class ActorType(click.ParamType):
    """An actor type, in English or French, singular or plural, with or without accents
    (``beneficiary``, ``bénéficiaire``, ``formatrice``…); stored as its English id."""

    name = "actor"

    def get_metavar(self, param, ctx=None) -> str:
        from workbench.domain import ACTOR_TYPES
        return "[" + "|".join(ACTOR_TYPES) + "]"

    def convert(self, value, param, ctx):
        from workbench.domain import ACTOR_TYPES
        from workbench.labels import actor_label, parse_actor
        actor = parse_actor(value)
        if actor is None:
            self.fail(_("{value!r} is not an actor type; use one of {choices}").format(
                value=value, choices=", ".join(f"{a} ({actor_label(a)})" for a in ACTOR_TYPES)),
                param, ctx)
        return actor


ACTOR = ActorType()


def format_option(fn):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help=N_("Output format."))(fn)


def coder_option(fn):
    return click.option("--coder", default=None, envvar="WORKBENCH_CODER",
                        help=N_("Coder name recorded with changes (default: $WORKBENCH_CODER or "
                                "the login name)."))(fn)


#: Column headers of the human-readable table format (csv and json keep the ids).
COLUMNS = {
    "id": N_("id"), "name": N_("name"), "code": N_("code"), "path": N_("path"),
    "codings": N_("codings"), "candidates": N_("candidate codings"),
    "documents": N_("documents"), "questions": N_("questions"), "colour": N_("colour"),
    "programme": N_("programme"), "actor_type": N_("actor type"),
    "interview_date": N_("interview date"), "source_format": N_("format"),
    "word_count": N_("words"), "segments": N_("turns"), "participants": N_("participants"),
    "document": N_("document"), "speaker": N_("speaker"), "start": N_("start"),
    "end": N_("end"), "text": N_("text"), "position": N_("position"), "coder": N_("coder"),
    "at": N_("at"), "action": N_("action"), "details": N_("details"), "file": N_("file"),
    "status": N_("status"), "message": N_("message"), "topic": N_("topic"),
    "label": N_("topic label"), "size": N_("size"), "words": N_("words"), "share": N_("share of units"),
    "rule": N_("rule"), "origin": N_("origin"), "title": N_("title"), "kind": N_("kind"),
    "expression": N_("expression"), "created_at": N_("created"), "updated_at": N_("updated"),
    "participant_id": N_("participant"), "question": N_("question"), "side": N_("side"),
    "summary": N_("summary"), "target_type": N_("on"), "target_id": N_("target"),
    "coder_id": N_("coder id"), "private": N_("private"),
    "snippet": N_("excerpt"), "group": N_("group"), "n_participants": N_("participants in group"),
    "column": N_("column"), "exemplars": N_("exemplars"), "n_with": N_("n with"),
    "positive_with": N_("positive with"), "rate_with": N_("% with"), "n_without": N_("n without"),
    "positive_without": N_("positive without"), "rate_without": N_("% without"),
    "difference": N_("difference (points)"), "odds_ratio": N_("odds ratio"),
    "ci_low": N_("CI low"), "ci_high": N_("CI high"), "p_value": N_("p"),
    "p_holm": N_("p (Holm)"), "p_bh": N_("p (BH)"), "warning": N_("warning"),
    "scope": N_("scope"), "units": N_("units"), "prevalence": N_("prevalence"),
    "agreement": N_("agreement"), "cohen_kappa": N_("Cohen's kappa"),
    "fleiss_kappa": N_("Fleiss' kappa"), "alpha": N_("Krippendorff's alpha"), "note": N_("note"),
    "rank": N_("rank"), "new_codes": N_("new codes"), "new_subcodes": N_("new sub-codes"),
    "new": N_("new"), "cumulative": N_("cumulative"), "cumulative_pct": N_("cumulative %"),
    "new_paths": N_("new codes (paths)"), "case_id": N_("case"),
    "stratum": N_("stratum"), "value": N_("value"), "sampled": N_("sampled"),
    "sampled_pct": N_("% of sampled"), "interviewed": N_("interviewed"),
    "interviewed_pct": N_("% of interviewed"), "coverage_pct": N_("coverage %"),
    "gap_points": N_("gap (points)"), "wave": N_("wave"), "followed": N_("followed"),
    "lost": N_("lost"), "theme": N_("theme"), "panel": N_("panel"),
    "at_first": N_("at the first wave"), "at_second": N_("at the second wave"),
    "appears": N_("appears"), "disappears": N_("disappears"), "persists": N_("persists"),
    "absent": N_("absent"),
}
#: Columns per actor type (``trainer_passages``): the actor's name, then what is counted.
ACTOR_COLUMNS = {
    "passages": N_("passages"), "codings": N_("codings"), "documents": N_("documents"),
    "participants": N_("participants"), "share": N_("% of interviews"), "status": N_("status"),
}


def _header(column) -> str:
    """A table column's header in the user's language."""
    from workbench.labels import ACTOR_LABELS, actor_label
    if column in COLUMNS:
        return _(COLUMNS[column])
    if str(column).startswith("coded: "):       # agreement: what each coder coded
        return _("coded: {coder}").format(coder=str(column)[len("coded: "):])
    if column in ACTOR_LABELS:          # a matrix by actor type: one column per actor
        return actor_label(str(column))
    actor, _sep, what = str(column).partition("_")
    if actor in ACTOR_LABELS and what in ACTOR_COLUMNS:
        return f"{actor_label(actor)} {_(ACTOR_COLUMNS[what])}"
    return str(column)


def emit(df, fmt: str, *, out=None) -> None:
    """Write a DataFrame (or list of dicts) as table, csv or json to stdout."""
    import pandas as pd
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    stream = out or sys.stdout
    if fmt == "csv":
        df.to_csv(stream, index=False, lineterminator="\n")
    elif fmt == "json":
        records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        stream.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        if df.empty:
            stream.write(_("(no rows)") + "\n")
            return
        from workbench.labels import actor_label, memo_target_label, triangulation_status_label
        if "actor_type" in df.columns:          # the stored id, said in the user's words
            df = df.assign(actor_type=[actor_label(v) if isinstance(v, str) else v
                                       for v in df["actor_type"]])
        if "target_type" in df.columns:
            df = df.assign(target_type=[memo_target_label(v) if isinstance(v, str) else v
                                        for v in df["target_type"]])
        df = df.astype(object).where(df.notna(), "")      # no "None" / "NaN" in a table
        # values in the reader's words (66,7, oui, 2021-10-04); csv and json keep the values
        from workbench.labels import value_text
        for column in df.columns:
            if df[column].map(lambda v: not isinstance(v, (str, int)) or isinstance(v, bool)).any():
                df[column] = [value_text(v) for v in df[column]]
        for column in [c for c in df.columns if str(c).endswith("_status")]:
            df[column] = [triangulation_status_label(v) if isinstance(v, str) else v
                          for v in df[column]]
        df = df.rename(columns=_header)
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 60):
            stream.write(df.to_string(index=False) + "\n")


def emit_rows(rows: list[dict], fmt: str, columns, *, out=None) -> None:
    """Write plain rows (dicts) as table, csv or json, as :func:`emit` writes a DataFrame,
    without loading pandas (a read command such as ``codings`` starts fast).  Missing
    values are blank (csv, table) or null (json); a table's columns are right-aligned
    under their translated names, as pandas prints them."""
    import csv
    columns = list(columns)
    stream = out or sys.stdout
    if fmt == "json":
        records = [{c: r.get(c) for c in columns} for r in rows]
        stream.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if r.get(c) is None else r.get(c) for c in columns]
                          for r in rows])
        return
    if not rows:
        stream.write(_("(no rows)") + "\n")
        return
    from workbench.labels import actor_label, memo_target_label, triangulation_status_label
    labels = {"actor_type": actor_label, "target_type": memo_target_label}

    def cell(column, value) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            label = labels.get(column) or (triangulation_status_label
                                           if str(column).endswith("_status") else None)
            text = label(value) if label else value
            return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value_text(value)            # as emit shows it: 2 694, 83,5, oui

    from workbench.labels import value_text
    cells = [[cell(c, r.get(c)) for c in columns] for r in rows]
    heads = [_header(c) for c in columns]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
    lines = [" ".join(h.rjust(w) for h, w in zip(heads, widths))]
    lines += [" ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
    stream.write("\n".join(lines) + "\n")


class Progress:
    """A progress callback drawing a one-line bar on stderr (only on a terminal)."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, item: str = "") -> None:
        if not self.tty:
            return
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{_(self.label)} [{bar}] {done}/{total} {_(item)[:30]:<30}")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


#: each top-level command -> the module of workbench.cli that defines it: a command loads
#: only its own module (and what it uses), so that a read command starts fast.
#: tests/test_cli_docs.py checks this table against the modules.
COMMAND_MODULES = {
    "init": "app", "info": "app", "demo": "app", "open": "app",
    "import": "ingest", "docs": "ingest", "search": "ingest", "participants": "ingest",
    "private": "ingest",
    "codebook": "coding", "codes": "coding", "code": "coding", "code-segments": "coding",
    "codings": "coding", "undo": "coding", "redo": "coding", "autocode": "coding",
    "review": "coding", "memo": "coding",
    "query": "query", "matrix": "query", "joint": "query", "triangulate": "query", "eq": "query",
    "queries": "query",
    "topics": "topics",
    "export": "export",
    "privacy": "privacy",
    "agreement": "team", "coders": "team", "share": "team", "merge": "team",
    "compare": "team", "adjudicate": "team", "check": "app",
    "waves": "waves", "cases": "waves", "trajectory": "waves", "changes": "waves",
    "sampling": "waves", "saturation": "waves",
}


class LazyGroup(I18nGroup):
    """The main group: commands are listed from :data:`COMMAND_MODULES` and their
    module is imported (and its help put in the user's language) when one of them is
    asked for."""

    group_class = I18nGroup                 # its sub-groups are ordinary (not lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from workbench.cli._i18n import translate_tree
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib
            importlib.import_module(f"workbench.cli.{COMMAND_MODULES[cmd_name]}")
        command = self.commands.get(cmd_name)
        if command is not None:     # translated each time: its module may have come in
            translate_tree(command)   # with another's (waves imports ingest's docs group)
        return command


def load_all_commands() -> None:
    """Import every command module (for help pages and tests walking the tree)."""
    import importlib

    from workbench.cli._i18n import translate_tree
    for module in sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"workbench.cli.{module}")
    translate_tree(main)


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workbench")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Workbench: code interview transcripts against evaluation questions, offline.

    With no command, opens the demo project (built on first run).
    """
    import signal
    if threading.current_thread() is threading.main_thread():
        # SIGTERM unwinds like Ctrl-C: open transactions roll back, temporary files go
        signal.signal(signal.SIGTERM, _terminate)
    if ctx.invoked_subcommand is None:
        from workbench.cli.app import open_demo
        open_demo()
