"""Nothing private leaves through any output: every CLI command that prints or writes
data, in every format, and every export call of the API, is run on a project holding a
private document, a private memo (and a memo on the private document) and a private
participant attribute; none of their sentinels may appear in what it prints or writes.

The enumeration walks the click command tree: a command that is neither listed as an
output (with the invocations that exercise it) nor as a command that prints no project
data makes the test fail, so a new command must be classified here.
"""
import json
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from docx import Document

from workbench.cli import load_all_commands, main

PRIVATE_TEXT = "Zorglub"            # a word only the private document contains
PRIVATE_MEMO = "Xylophage"          # a private memo
DOC_MEMO = "Quetzalcoatl"           # a (non-private) memo on the private document
PRIVATE_VALUE = "Ornithorynque"     # values of the private attribute
SENTINELS = (PRIVATE_TEXT.casefold(), PRIVATE_MEMO.casefold(), DOC_MEMO.casefold(),
             PRIVATE_VALUE.casefold())
PUBLIC = "Témoin public"            # proves an output carries data at all

PARTICIPANTS = ("participant_id,emploi_6m,nom_naissance\n"
                f"P001,oui,{PRIVATE_VALUE}-Un\nP002,non,{PRIVATE_VALUE}-Deux\n")
PUBLIC_DOC = ("ENQ : Comment était l'immersion ?\n"
              "Karima : Témoin public de l'immersion en entreprise, vraiment utile.\n"
              "ENQ : Merci.\nKarima : Au revoir.\n")
PRIVATE_DOC = ("ENQ : Comment était l'immersion ?\n"
               f"Marc : {PRIVATE_TEXT} confidentiel sur l'immersion en entreprise.\n"
               "ENQ : Merci.\nMarc : Au revoir.\n")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from workbench.project import Project
    tmp = tmp_path_factory.mktemp("privacy")
    path = tmp / "p.wbproj"
    p = Project.create(path, coder="testeur")
    (tmp / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    p.import_participants(tmp / "participants.csv")
    for name, text, who in (("public", PUBLIC_DOC, {"Karima": "P001"}),
                            ("secret", PRIVATE_DOC, {"Marc": "P002"})):
        f = tmp / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        p.import_files([f], programme="avenir", actor_type="beneficiary", speakers=who,
                       name=name)
    p.store.bulk_insert_questions([{"id": "Q1", "text": "L'immersion aide-t-elle ?",
                                    "programme": "avenir"}])
    p.create_code("Immersion", questions=["Q1"])
    p.add_coder("alice")
    for doc, phrase in (("public", "Témoin public"), ("secret", PRIVATE_TEXT)):
        s = p.text(doc).index(phrase)
        line_end = p.text(doc).index("\n", s)
        for coder in ("testeur", "alice"):
            p.apply_code(doc, "Immersion", s, line_end, coder=coder)
    s = p.text("secret").index(PRIVATE_TEXT)
    p.apply_code("secret", "Immersion", s, s + 20, status="candidate")
    p.save_query("par-naissance", "query", f'Immersion WHERE nom_naissance = "{PRIVATE_VALUE}-Un"')
    p.save_query("secret-doc", "query", "Immersion WHERE document = secret")
    p.add_memo("project", None, f"Mémo {PRIVATE_MEMO}", private=True)
    p.add_memo("document", "secret", f"Mémo {DOC_MEMO}")
    p.add_memo("code", "Immersion", "Mémo public sur le code")
    p.update_document("secret", private=True)
    p.set_private("attribute", "nom_naissance")
    # waves and cases: the private document at a wave and a site, a private case field
    p.set_waves(["entrée", "sortie"])
    for doc in ("public", "secret"):
        p.update_document(doc, wave="sortie")
    (tmp / "sites.csv").write_text("site_id,name,region,contact\n"
                                   f"S1,Site public,Normandie,{PRIVATE_VALUE}-Trois\n",
                                   encoding="utf-8")
    p.import_cases(tmp / "sites.csv", kind="site")
    p.set_private("case_field", "contact")
    for doc in ("public", "secret"):
        p.link_case("S1", document=doc)
    p.link_case("S1", participant="P002")
    p.close()
    detect = CliRunner().invoke(main, ["privacy", "detect", str(path)])   # review candidates
    assert detect.exit_code == 0, detect.output
    return tmp, path


def leaf_commands(group=main, prefix=()):
    load_all_commands()      # the main group loads a command's module on demand
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from leaf_commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


def format_choices(cmd) -> list[str]:
    for param in cmd.params:
        if isinstance(param, click.Option) and "--format" in param.opts:
            return list(param.type.choices)
    return []


SUFFIX = {"table": ".txt", "csv": ".csv", "json": ".json", "xlsx": ".xlsx"}

# command -> invocations; "{P}" is the project, "{F}" each --format choice, "{O}" a
# fresh output file (suffix from the format, or given in the template as {O.docx})
OUTPUT = {
    ("agreement",): [["{P}", "testeur", "alice", "--format", "{F}"]],
    ("adjudicate", "list"): [["{P}", "--format", "{F}"]],
    ("compare",): [["{P}", "public", "testeur", "alice", "--format", "{F}"]],
    ("autocode",): [["{P}", "Immersion", "--keyword", PRIVATE_TEXT, "--dry-run", "--format", "{F}"],
                    ["{P}", "Immersion", "--keyword", "immersion", "--dry-run", "--format", "{F}"]],
    ("codebook", "diff"): [["{P}", "{P}"]],
    ("codebook", "export"): [["{P}", "{O.yaml}"], ["{P}", "{O.qdc}"]],
    ("codebook", "history"): [["{P}", "--format", "{F}"]],
    ("codebook", "show"): [["{P}", "--format", "{F}"], ["{P}", "--questions", "--format", "{F}"]],
    ("coders", "list"): [["{P}", "--format", "{F}"]],
    ("codings",): [["{P}", "--code", "Immersion", "--format", "{F}"],
                   ["{P}", "--doc", "secret", "--format", "{F}"],
                   ["{P}", "--doc", "public", "--format", "{F}"]],
    ("docs", "list"): [["{P}", "--format", "{F}"]],
    ("docs", "show"): [["{P}", "public", "--format", "{F}"], ["{P}", "secret", "--format", "{F}"],
                       ["{P}", "secret", "--segments", "--format", "{F}"]],
    ("eq",): [["{P}", "Q1", "--format", "{F}", "--output", "{O}"], ["{P}", "Q1", "--format", "{F}"],
              ["{P}", "--format", "{F}"]],
    ("export", "codebook"): [["{P}", "{O.docx}"], ["{P}", "{O.xlsx}"], ["{P}", "{O.csv}"]],
    ("export", "excerpts"): [["{P}", "{O.docx}", "--attribute", "nom_naissance"],
                             ["{P}", "{O.docx}"], ["{P}", "{O.xlsx}"], ["{P}", "{O.csv}"]],
    ("export", "qdpx"): [["{P}", "{O.qdpx}"]],
    ("export", "report"): [["{P}", "{O.docx}"],
                           ["{P}", "{O.docx}", "--attribute", "emploi_6m", "--joint", "emploi_6m"],
                           ["{P}", "{O.docx}", "--joint", "nom_naissance"]],
    ("export", "table"): [["{P}", "{O.xlsx}"], ["{P}", "{O.csv}"],
                          ["{P}", "{O.csv}", "--name", "participants_x_codes", "--with-attributes"],
                          ["{P}", "{O.xlsx}", "--name", "participants_x_codes", "--with-attributes"]],
    ("info",): [["{P}", "--format", "{F}"]],
    ("joint",): [["{P}", "emploi_6m", "--code", "Immersion", "--format", "{F}", "--output", "{O}"],
                 ["{P}", "nom_naissance", "--code", "Immersion", "--format", "{F}"],
                 ["{P}", "--outcome", "emploi_6m", "--code", "Immersion", "--format", "{F}"]],
    ("matrix",): [["{P}", "--format", "{F}", "--output", "{O}"],
                  ["{P}", "nom_naissance", "--format", "{F}"],
                  ["{P}", "participants", "--attributes", "--format", "{F}", "--output", "{O}"],
                  ["{P}", "cooccurrence", "--format", "{F}"]],
    ("memo", "list"): [["{P}", "--format", "{F}"]],
    ("participants", "list"): [["{P}", "--format", "{F}"]],
    ("queries", "list"): [["{P}", "--format", "{F}"]],
    ("queries", "run"): [["{P}", "secret-doc", "--format", "{F}", "--output", "{O}"],
                         ["{P}", "par-naissance", "--format", "{F}"]],
    ("privacy", "summary"): [["{P}"]],
    ("privacy", "settings"): [["{P}"]],
    ("privacy", "policy"): [["{P}"]],
    ("query",): [["{P}", "Immersion", "--format", "{F}", "--output", "{O}"],
                 ["{P}", "Immersion", "--attribute", "nom_naissance", "--format", "{F}", "--output", "{O}"],
                 ["{P}", "Immersion", "--attribute", "emploi_6m", "--format", "{F}"],
                 ["{P}", "Immersion WHERE document = secret", "--format", "{F}"],
                 ["{P}", "Immersion", "--status", "all", "--interviewer", "--format", "{F}"]],
    ("review",): [["{P}", "--format", "{F}"]],
    ("search",): [["{P}", "immersion", "--format", "{F}"], ["{P}", PRIVATE_TEXT, "--format", "{F}"]],
    # topic runs: see test_topics_never_see_private_documents (a model needs more text)
    ("topics", "compare"): [],
    ("topics", "list"): [["{P}", "--format", "{F}"]],
    ("topics", "show"): [],
    ("triangulate",): [["{P}", "--code", "Immersion", "--format", "{F}", "--output", "{O}"]],
    # waves and cases (workbench/cli/waves.py)
    ("waves", "list"): [["{P}", "--format", "{F}"]],
    ("cases", "list"): [["{P}", "--format", "{F}", "--output", "{O}"],
                        ["{P}", "--kind", "site", "--format", "{F}"]],
    ("cases", "links"): [["{P}", "--format", "{F}"], ["{P}", "S1", "--format", "{F}"]],
    ("trajectory",): [["{P}", "--code", "Immersion", "--format", "{F}", "--output", "{O}"],
                      ["{P}", "--code", "Immersion", "--participant", "P002", "--wide",
                       "--format", "{F}"],
                      ["{P}", "--question", "Q1", "--where", "site.region = Normandie",
                       "--format", "{F}"]],
    ("changes",): [["{P}", "entrée", "sortie", "--code", "Immersion", "--who", "--format", "{F}"]],
    ("sampling",): [["{P}", "emploi_6m", "--by-wave", "--losses", "--format", "{F}",
                     "--output", "{O}"],
                    ["{P}", "emploi_6m", "--format", "{F}"],
                    ["{P}", "nom_naissance", "--format", "{F}"]],
    ("saturation",): [["{P}", "--format", "{F}", "--output", "{O}"],
                      ["{P}", "--by", "site", "--format", "{F}"]],
}

# commands that print no project data (they change the project, or read a file the user
# gives, or open the interactive interface); the summary they print is checked anyway
NOT_OUTPUT = {
    ("code",), ("code-segments",), ("codebook", "import"), ("codebook", "validate"),
    ("coders", "add"), ("coders", "me"), ("coders", "rename"), ("codes", "create"), ("codes", "delete"), ("codes", "merge"),
    ("codes", "move"), ("codes", "rename"), ("codes", "split"), ("demo",), ("import",),
    ("init",), ("memo", "add"), ("open",), ("participants", "import"),
    ("participants", "link"), ("private",), ("queries", "delete"), ("queries", "save"),
    ("redo",), ("undo",), ("topics", "delete"), ("topics", "label"), ("topics", "promote"),
    ("topics", "review"), ("topics", "run"),
    # the integrity check prints SQLite's verdict on the file's pages, never its content
    ("check",),
    ("waves", "set"), ("waves", "add"), ("waves", "rename"), ("waves", "delete"),
    ("docs", "set"), ("cases", "import"), ("cases", "link"), ("cases", "import-links"),
    ("cases", "delete"),
    # pseudonymisation review: it shows the team the personal data found in the project
    # (private items included: they are pseudonymised too), records decisions, and writes
    # the pseudonymised copy (a project, not an export; workbench.privacy's tests cover it)
    ("privacy", "list"), ("privacy", "show"), ("privacy", "preview"), ("privacy", "accept"), ("privacy", "add"), ("privacy", "apply"), ("privacy", "detect"),
    ("privacy", "merge"), ("privacy", "recategorise"), ("privacy", "reidentify"),
    ("privacy", "reject"), ("privacy", "remove"), ("privacy", "reset"), ("privacy", "split"),
    # team work: a copy of the project for a colleague (a project, not an export), a merge
    # and adjudication decisions print only what they did
    ("share",), ("merge",), ("adjudicate", "place"), ("adjudicate", "agreements"),
}


def test_every_command_is_classified():
    names = {path for path, _ in leaf_commands()}
    unclassified = names - set(OUTPUT) - NOT_OUTPUT
    assert not unclassified, f"classify these commands in the privacy test: {sorted(unclassified)}"
    assert not (set(OUTPUT) & NOT_OUTPUT)
    assert not (set(OUTPUT) | NOT_OUTPUT) - names, "commands listed here no longer exist"


def read_output(path: Path) -> str:
    """Everything a written file holds, as text (docx, xlsx, qdpx unpacked)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for t in doc.tables:
            for row in t.rows:
                parts.extend(c.text for c in row.cells)
        with zipfile.ZipFile(path) as z:       # core properties, headers, fields too
            parts.extend(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith(".xml"))
        return "\n".join(parts)
    if suffix in (".xlsx", ".qdpx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8", errors="replace")


def written_files(tmp: Path, before: set) -> list[Path]:
    return [f for f in tmp.rglob("*") if f.is_file() and f not in before
            and f.suffix not in (".wbproj", ".wbproj-wal", ".wbproj-shm")
            and not f.name.endswith(("-wal", "-shm"))]


def expand(template, project, fmt, out_dir, counter):
    args = []
    for a in template:
        if a == "{P}":
            args.append(str(project))
        elif a == "{F}":
            args.append(fmt)
        elif a.startswith("{O"):
            suffix = a[3:-1] if a.startswith("{O.") else SUFFIX.get(fmt, ".txt")
            if a.startswith("{O."):
                suffix = "." + suffix
            counter[0] += 1
            args.append(str(out_dir / f"out{counter[0]}{suffix}"))
        else:
            args.append(a)
    return args


def runs():
    for path, templates in OUTPUT.items():
        for template in templates:
            yield path, template


@pytest.mark.parametrize("path,template", list(runs()),
                         ids=[" ".join(p) + f" #{i}" for i, (p, _) in enumerate(runs())])
def test_no_private_sentinel_in_any_output(world, path, template):
    tmp, project = world
    cmd = dict(leaf_commands())[path]
    formats = format_choices(cmd) if "{F}" in template else [None]
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames \
        else CliRunner()
    counter = [0]
    for fmt in formats:
        out_dir = tmp / ("out-" + "-".join(path) + f"-{fmt}")
        out_dir.mkdir(exist_ok=True)
        before = set(tmp.rglob("*"))
        args = expand(template, project, fmt, out_dir, counter)
        if fmt == "xlsx" and "--output" not in args:
            args += ["--output", str(out_dir / f"extra{counter[0]}.xlsx")]
        result = runner.invoke(main, list(path) + args, catch_exceptions=False)
        assert result.exit_code in (0, 1), (args, result.output)
        texts = [result.stdout, getattr(result, "stderr", "") or ""]
        texts += [read_output(f) for f in written_files(tmp, before)]
        blob = "\n".join(texts).casefold()
        for s in SENTINELS:
            assert s not in blob, f"{' '.join(path)} {args}: private {s!r} in the output"


def test_outputs_carry_public_data(world):
    """The privacy test would pass on empty outputs: check some carry the public text."""
    tmp, project = world
    runner = CliRunner()
    for args in (["query", str(project), "Immersion", "--format", "csv"],
                 ["search", str(project), "immersion", "--format", "csv"],
                 ["codings", str(project), "--code", "Immersion", "--format", "csv"],
                 ["docs", "show", str(project), "public"]):
        r = runner.invoke(main, args)
        assert r.exit_code == 0 and PUBLIC in r.output, args
    r = runner.invoke(main, ["docs", "show", str(project), "secret"])
    assert r.exit_code == 1 and "private" in r.output
    out = tmp / "r.docx"
    r = runner.invoke(main, ["export", "report", str(project), str(out), "--language", "en"])
    assert r.exit_code == 0, r.output
    text = read_output(out)
    assert PUBLIC in text
    # saved queries naming a private document or attribute are counted, never printed
    assert "2 saved queries name a private document or attribute" in text
    assert "document = secret" not in text


def test_api_exports_leave_private_out(world):
    from workbench.project import Project
    tmp, path = world
    out = tmp / "api"
    out.mkdir(exist_ok=True)
    with Project.open(path) as p:
        files = [p.export_report(out / "r.docx", attributes=["emploi_6m"],
                                 joint_attributes=["emploi_6m"]),
                 p.export_excerpts(out / "e.docx"), p.export_excerpts(out / "e.xlsx"),
                 p.export_excerpts(out / "e.csv"), p.export_codebook_report(out / "c.docx"),
                 p.export_codebook_report(out / "c.xlsx"),
                 p.export_participant_matrix(out / "m.csv", with_attributes=True),
                 p.export_participant_matrix(out / "m.xlsx", with_attributes=True)]
        files += p.export_tables(out / "t.xlsx") + p.export_tables(out / "t.csv")
        files.append(Path(p.export_qdpx(out / "x.qdpx")["path"]))
        frames = [p.query("Immersion"), p.matrix("actor_type"), p.triangulate(),
                  p.joint_display("emploi_6m"), p.participant_code_matrix(attributes=True),
                  p.search("immersion", include_private=False)]
        frames += [getattr(p.question_dossier("Q1"), s) for s in p.question_dossier("Q1").sections]
    blob = "\n".join(read_output(f) for f in files + list(out.glob("*-variables.csv")))
    blob += "\n".join(f.to_csv() for f in frames)
    for s in SENTINELS:
        assert s not in blob.casefold(), s
    assert PUBLIC in blob


def test_topics_never_see_private_documents(tmp_path):
    """A topic model never reads a private document: its words would come out in the
    topics' words, labels, units and excerpts."""
    from workbench.project import Project
    path = tmp_path / "t.wbproj"
    p = Project.create(path, coder="testeur")
    (tmp_path / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    p.import_participants(tmp_path / "participants.csv")
    themes = ["stage entreprise patron équipe atelier", "bus transport voiture trajet permis",
              "enfants crèche garde école horaires", "formation formateur cours groupe exercices",
              "emploi contrat salaire embauche poste", "argent allocation loyer factures budget",
              "santé fatigue médecin dos sommeil"]
    public = "".join(f"ENQ : Question {i} ?\nKarima : {themes[i % 7]} {themes[(i + 3) % 7]}.\n"
                     for i in range(21))
    private = "".join(f"ENQ : Question {i} ?\nMarc : {PRIVATE_TEXT} {themes[i % 7]} "
                      f"{PRIVATE_TEXT}.\n" for i in range(21))
    for name, text, who in (("public", public, {"Karima": "P001"}),
                            ("secret", private, {"Marc": "P002"})):
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        p.import_files([f], programme="avenir", actor_type="beneficiary", speakers=who, name=name)
    p.update_document("secret", private=True)
    p.set_private("attribute", "nom_naissance")
    p.close()
    runner = CliRunner()
    r = runner.invoke(main, ["topics", "run", str(path), "--backend", "lda", "--topics", "2",
                             "--min-tokens", "1"])
    assert r.exit_code == 0, r.output
    outputs = [r.output]
    for args in (["topics", "show", str(path), "last"],
                 ["topics", "show", str(path), "last", "--units", "--format", "csv"],
                 ["topics", "show", str(path), "last", "--outliers", "--format", "csv"],
                 ["topics", "show", str(path), "last", "--topic", "0", "--format", "json"],
                 ["topics", "show", str(path), "last", "--topic", "0"],
                 ["topics", "show", str(path), "last", "--by", "nom_naissance"],
                 ["topics", "list", str(path)]):
        out = runner.invoke(main, args)
        assert out.exit_code in (0, 1), (args, out.output)
        outputs.append(out.output)
    blob = "\n".join(outputs).casefold()
    for s in SENTINELS:
        assert s not in blob, s
    assert "stage" in blob                       # the public document was modelled
