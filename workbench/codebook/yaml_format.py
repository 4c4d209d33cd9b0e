"""Codebook files in YAML: load, validate (every problem, with its line), dump.

The format is described in ``docs/codebook-format.md``.  Validation works on the
node tree from :func:`yaml.compose`, never on constructed Python objects, so that
every key and value keeps its line, duplicate keys are seen (PyYAML's constructor
silently keeps the last one), nothing is ever instantiated from a tag, and YAML
aliases can be refused before anything is expanded.

Loading is all-or-nothing: :func:`load_codebook` raises :class:`CodebookError`
carrying every problem as soon as one of them is an error; warnings (a question
that no code serves) do not block loading.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workbench.i18n import _
from workbench.safety.errors import library_detail
from workbench.identity import normalise_guid
from workbench.safety.files import atomic_output
from workbench.safety.limits import MAX_CODE_DEPTH, LimitError, check_yaml_nesting, code_depth_error
from workbench.values import normalise_colour

from .model import (SIDES, Codebook, CodebookError, CodebookProblem, CodeDef,  # noqa: F401
                    EvaluationQuestion, name_key, split_path)

__all__ = [
    "CodebookProblem",
    "CodebookError",
    "load_codebook",
    "loads_codebook",
    "parse_codebook",
    "validate_codebook_file",
    "validate_codebook_text",
    "dump_codebook",
    "save_codebook",
    "normalise_colour",
    "normalise_guid",
]


# ---------------------------------------------------------------------------
# value normalisation shared with the .qdc module
# ---------------------------------------------------------------------------
_QID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
# colours: the one definition is workbench.values.normalise_colour (re-exported here for
# the .qdc module)


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


# ---------------------------------------------------------------------------
# the node walk
# ---------------------------------------------------------------------------
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"

TOP_KEYS = ("codebook", "title", "programme", "version", "language", "description",
            "questions", "codes")
TOP_REQUIRED = ("codebook", "title", "questions", "codes")
QUESTION_KEYS = ("id", "programme", "side", "text", "source", "proposed")
QUESTION_REQUIRED = ("id", "side", "text")
CODE_TEXT_KEYS = ("short", "definition", "when_to_use", "when_not_to_use", "example")
CODE_KEYS = ("name", "colour", *CODE_TEXT_KEYS, "questions", "children", "guid", "parent")
CODE_REQUIRED = ("name",)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return _("a mapping")
    if isinstance(node, SequenceNode):
        return _("a list")
    if node.tag == _NULL:
        return _("nothing (null)")
    return _("the value {value!r}").format(value=node.value)


@dataclass
class _RawCode:
    line: int
    name: str | None = None
    name_line: int = 0
    colour: str | None = None
    texts: dict = field(default_factory=dict)
    questions: list = field(default_factory=list)     # [(qid, line)]
    children: list = field(default_factory=list)      # [_RawCode]
    guid: str | None = None
    guid_line: int = 0
    parent: str | None = None
    parent_line: int = 0


class _Walker:
    def __init__(self, filename: str):
        self.file = filename
        self.problems: list[CodebookProblem] = []
        self._seen: set[int] = set()

    # -- reporting -----------------------------------------------------------
    def error(self, line: int, message: str) -> None:
        self.problems.append(CodebookProblem(self.file, line, message, "error"))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(CodebookProblem(self.file, line, message, "warning"))

    # -- typed accessors -----------------------------------------------------
    def _enter(self, node: Node) -> bool:
        """False for a node already visited: it is the target of an alias, which
        was reported during the event scan; never walk it twice."""
        if id(node) in self._seen:
            return False
        self._seen.add(id(node))
        return True

    def mapping(self, node: Node, what: str, known: tuple[str, ...],
                required: tuple[str, ...]) -> dict[str, tuple[Node, Node]] | None:
        if not self._enter(node):
            return None
        if not isinstance(node, MappingNode):
            self.error(_line(node), _("{what} must be a mapping (`key: value`), found {kind}")
                       .format(what=what, kind=_kind(node)))
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(_line(key_node), _("{what}: a key must be a plain word, found {kind}")
                           .format(what=what, kind=_kind(key_node)))
                continue
            key = key_node.value
            if key in result:
                first = _line(result[key][0])
                self.error(_line(key_node),
                           _("duplicate key '{key}' in {what} (first at line {first}; YAML would "
                             "silently keep only the last one)").format(key=key, what=what,
                                                                        first=first))
                continue
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                extra = " " + _("(did you mean '{key}'?)").format(key=hint[0]) if hint else ""
                self.error(_line(key_node), _("unknown key '{key}' in {what}{hint}; allowed: "
                                              "{known}").format(key=key, what=what, hint=extra,
                                                                known=", ".join(known)))
                continue
            result[key] = (key_node, value_node)
        for key in required:
            if key not in result:
                self.error(_line(node), _("{what}: missing required key '{key}'").format(
                    what=what, key=key))
        return result

    def string(self, node: Node, what: str) -> str | None:
        """The text of a scalar (as written, so ``version: 1.0`` stays ``"1.0"`` and
        ``name: No`` stays ``"No"``); None for null; None + error for a list/mapping."""
        if not self._enter(node):
            return None
        if not isinstance(node, ScalarNode):
            self.error(_line(node), _("{what} must be text, found {kind}").format(
                what=what, kind=_kind(node)))
            return None
        if node.tag == _NULL:
            return None
        return node.value

    def boolean(self, node: Node, what: str) -> bool | None:
        if not self._enter(node):
            return None
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        self.error(_line(node), _("{what} must be true or false, found {kind}").format(
            what=what, kind=_kind(node)))
        return None

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not self._enter(node):
            return None
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, SequenceNode):
            self.error(_line(node), _("{what} must be a list, found {kind}").format(
                what=what, kind=_kind(node)))
            return None
        return list(node.value)

    # -- the document ----------------------------------------------------------
    def document(self, root: Node) -> tuple[dict, list, list[_RawCode]] | None:
        top = self.mapping(root, "the codebook", TOP_KEYS, TOP_REQUIRED)
        if top is None:
            return None
        meta: dict[str, str] = {}
        for key in ("codebook", "title", "programme", "version", "language", "description"):
            if key in top:
                key_node, value_node = top[key]
                value = self.string(value_node, f"'{key}'")
                if value is not None:
                    meta[key] = value
                if key in ("codebook", "title") and isinstance(value_node, ScalarNode) \
                        and not (value or "").strip():
                    self.error(_line(value_node), _("'{key}' must not be empty").format(key=key))
        questions = []
        if "questions" in top:
            items = self.sequence(top["questions"][1], "'questions'")
            for item in items or []:
                q = self.question(item)
                if q is not None:
                    questions.append(q)
        codes: list[_RawCode] = []
        if "codes" in top:
            items = self.sequence(top["codes"][1], "'codes'")
            codes = self.codes(items or [], top_level=True)
        return meta, questions, codes

    def question(self, node: Node) -> dict | None:
        m = self.mapping(node, "a question", QUESTION_KEYS, QUESTION_REQUIRED)
        if m is None:
            return None
        q: dict = {"line": _line(node)}
        for key in ("id", "programme", "side", "text", "source"):
            if key in m:
                value_node = m[key][1]
                value = self.string(value_node, f"question '{key}'")
                q[key] = value
                q[key + "_line"] = _line(value_node)
                if key in QUESTION_REQUIRED and isinstance(value_node, ScalarNode) \
                        and not (value or "").strip():
                    self.error(_line(value_node), _("question '{key}' must not be empty").format(
                        key=key))
        if q.get("id") and q["id"].strip() and not _QID_RE.match(q["id"].strip()):
            self.error(q["id_line"], _("bad question id '{id}': use letters, digits, '-', '_' "
                                       "and '.', starting with a letter or digit (for example "
                                       "AV-B1)").format(id=q["id"]))
        if "side" in m and q.get("side"):
            if q["side"].strip() not in SIDES:
                self.error(q["side_line"], _("bad side '{side}': must be one of {sides}").format(
                    side=q["side"], sides=", ".join(SIDES)))
        if "proposed" in m:
            q["proposed"] = self.boolean(m["proposed"][1], "question 'proposed'")
        return q

    def codes(self, items: list[Node], top_level: bool) -> list[_RawCode]:
        result = []
        for item in items:
            code = self.code(item, top_level)
            if code is not None:
                result.append(code)
        return result

    def code(self, node: Node, top_level: bool) -> _RawCode | None:
        m = self.mapping(node, "a code", CODE_KEYS, CODE_REQUIRED)
        if m is None:
            return None
        code = _RawCode(line=_line(node))
        if "name" in m:
            value_node = m["name"][1]
            name = self.string(value_node, "code 'name'")
            code.name_line = _line(value_node)
            if isinstance(value_node, ScalarNode):
                if name is None or not name.strip():
                    self.error(code.name_line, _("code 'name' must not be empty"))
                    name = None
                elif "/" in name:
                    self.error(code.name_line, _("code name '{name}' contains '/', which "
                                                 "separates the names in a code path "
                                                 "(Parent/Child)").format(name=name))
            code.name = name
        if "colour" in m:
            value_node = m["colour"][1]
            value = self.string(value_node, "code 'colour'")
            if value is not None:
                colour = normalise_colour(value)
                if colour is None:
                    self.error(_line(value_node), _("bad colour '{value}': write #RRGGBB (or "
                                                    "#RGB), for example \"#1F77B4\"").format(
                                                        value=value))
                code.colour = colour
        for key in CODE_TEXT_KEYS:
            if key in m:
                value = self.string(m[key][1], f"code '{key}'")
                code.texts[key] = value or ""
        if "questions" in m:
            items = self.sequence(m["questions"][1], "code 'questions'")
            for item in items or []:
                qid = self.string(item, "a question id in code 'questions'")
                if qid is not None and qid.strip():
                    code.questions.append((qid.strip(), _line(item)))
        if "guid" in m:
            value_node = m["guid"][1]
            value = self.string(value_node, "code 'guid'")
            if value is not None:
                guid = normalise_guid(value)
                if guid is None:
                    self.error(_line(value_node), _("bad guid '{value}': expected a GUID such as "
                                                    "\"0b6f3c1e-9a52-4d7a-8b11-2f0c3d4e5f60\"")
                               .format(value=value))
                code.guid = guid
                code.guid_line = _line(value_node)
        if "parent" in m:
            key_node, value_node = m["parent"]
            if not top_level:
                self.error(_line(key_node), _("'parent' is only allowed on codes listed directly "
                                              "under 'codes' (a nested code already has its "
                                              "parent)"))
            else:
                value = self.string(value_node, "code 'parent'")
                if value is not None and value.strip():
                    code.parent = value
                    code.parent_line = _line(value_node)
        if "children" in m:
            items = self.sequence(m["children"][1], "code 'children'")
            code.children = self.codes(items or [], top_level=False)
        return code


# ---------------------------------------------------------------------------
# checks on the whole codebook
# ---------------------------------------------------------------------------
def _path_key(path: str) -> tuple[str, ...]:
    return tuple(name_key(p) for p in split_path(path))


def _assemble(w: _Walker, raw: list[_RawCode]) -> list[_RawCode]:
    """Attach the flat ``parent:`` entries to their parents; report unknown
    parents and cycles.  Returns the root codes."""
    roots = [c for c in raw if c.parent is None]
    pending = []
    for c in raw:
        if c.parent is None:
            continue
        depth = len(split_path(c.parent)) + 1
        if depth > MAX_CODE_DEPTH:      # refused before any walk along the path
            w.error(c.parent_line, code_depth_error(depth))
        else:
            pending.append(c)
    index: dict[tuple[str, ...], _RawCode] = {}

    def register(code: _RawCode, prefix: tuple[str, ...]) -> None:
        if code.name is None:
            return
        key = prefix + (name_key(code.name),)
        if len(key) > MAX_CODE_DEPTH:     # before any recursion can run away
            w.error(code.name_line, code_depth_error(len(key)))
            return
        index.setdefault(key, code)
        for child in code.children:
            register(child, key)

    for code in roots:
        register(code, ())
    progress = True
    while pending and progress:
        progress = False
        for code in list(pending):
            key = _path_key(code.parent or "")      # (pending codes have a parent)
            if key in index:
                index[key].children.append(code)
                register(code, key)
                pending.remove(code)
                progress = True

    by_name: dict[str, list[_RawCode]] = {}
    for code in pending:
        if code.name is not None:
            by_name.setdefault(name_key(code.name), []).append(code)
    for code in pending:
        chain = [code]
        cur = code
        cycle = False
        while True:
            last = split_path(cur.parent or "")
            nxt = by_name.get(name_key(last[-1]), []) if last else []
            if not nxt:
                break
            cur = nxt[0]
            if cur is code:
                cycle = True
                break
            if cur in chain or len(chain) > MAX_CODE_DEPTH:
                break
            chain.append(cur)
        if cycle:
            names = " → ".join(c.name or "?" for c in chain + [code])
            w.error(code.parent_line, _("cycle in 'parent' links: {names}").format(names=names))
        elif len(chain) > 1:
            w.error(code.parent_line, _("code '{name}' cannot be placed: its parent '{parent}' is "
                                        "itself not placed (line {line})").format(
                name=code.name, parent=code.parent, line=chain[1].parent_line))
        else:
            w.error(code.parent_line, _("unknown parent '{parent}' for code '{name}': no code "
                                        "has this path").format(parent=code.parent,
                                                                name=code.name))
    return roots


def _check_tree(w: _Walker, roots: list[_RawCode], question_ids: set[str]) -> set[str]:
    served: set[str] = set()
    guids: dict[str, int] = {}

    def siblings(codes: list[_RawCode], where: str) -> None:
        seen: dict[str, _RawCode] = {}
        for code in codes:
            if code.name is not None:
                key = name_key(code.name)
                if key in seen:
                    w.error(code.name_line, _("duplicate code name '{name}' {where} (first at "
                                              "line {first}; names are compared ignoring case)")
                            .format(name=code.name, where=where, first=seen[key].name_line))
                else:
                    seen[key] = code
            listed: set[str] = set()
            for qid, line in code.questions:
                if qid in listed:
                    w.error(line, _("question '{id}' is listed twice for code '{name}'").format(
                        id=qid, name=code.name))
                listed.add(qid)
                if qid not in question_ids:
                    w.error(line, _("unknown evaluation question '{id}' (not defined under "
                                    "'questions')").format(id=qid))
                served.add(qid)
            if code.guid is not None:
                if code.guid in guids:
                    w.error(code.guid_line, _("duplicate guid '{guid}' (first at line {first})")
                            .format(guid=code.guid, first=guids[code.guid]))
                else:
                    guids[code.guid] = code.guid_line
            siblings(code.children, _("under '{name}'").format(name=code.name))

    siblings(roots, _("at the top level"))
    return served


def _build_code(raw: _RawCode) -> CodeDef:
    return CodeDef(
        name=_text(raw.name or ""),
        colour=raw.colour,
        short=_text(raw.texts.get("short", "")),
        definition=_text(raw.texts.get("definition", "")),
        when_to_use=_text(raw.texts.get("when_to_use", "")),
        when_not_to_use=_text(raw.texts.get("when_not_to_use", "")),
        example=_text(raw.texts.get("example", "")),
        questions=tuple(q for q, _line in raw.questions),
        children=tuple(_build_code(c) for c in raw.children),
        guid=raw.guid,
    )


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------
def parse_codebook(text: str, filename: str = "<string>") -> tuple[Codebook | None, list[CodebookProblem]]:
    """Parse and validate YAML text.  Returns the codebook (None when there is any
    error) and every problem found, errors first, each group in line order."""
    w = _Walker(filename)
    try:
        check_yaml_nesting(text)
    except LimitError as exc:
        w.error(exc.line or 1, exc.message)
        return None, _sorted(w.problems)
    except yaml.YAMLError:
        pass                  # reported with its line by the parse below
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                w.error(event.start_mark.line + 1,
                        _("YAML alias '*{anchor}' is not allowed (anchors and aliases are "
                          "refused, so a file cannot expand into a huge document); write the "
                          "value out in full").format(anchor=event.anchor))
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = library_detail(exc.problem or " ".join(s for s in (exc.context,) if s) or exc)
        w.error(line, _("malformed YAML: {problem}").format(problem=what))
        return None, _sorted(w.problems)
    except yaml.YAMLError as exc:   # reader errors (control characters...)
        mark = getattr(exc, "mark", None) or getattr(exc, "problem_mark", None)
        w.error(mark.line + 1 if mark is not None else 1,
                _("malformed YAML: {problem}").format(problem=library_detail(
                    getattr(exc, "problem", None) or exc, _("unreadable characters"))))
        return None, _sorted(w.problems)
    if root is None:
        w.error(1, _("the file is empty: a codebook needs at least 'codebook', 'title', "
                  "'questions' and 'codes'"))
        return None, _sorted(w.problems)

    parsed = w.document(root)
    if parsed is None:
        return None, _sorted(w.problems)
    meta, raw_questions, raw_codes = parsed

    # questions: duplicate ids
    first_line: dict[str, int] = {}
    for q in raw_questions:
        qid = (q.get("id") or "").strip()
        if not qid:
            continue
        if qid in first_line:
            w.error(q["id_line"], _("duplicate question id '{id}' (first at line {first})").format(
                id=qid, first=first_line[qid]))
        else:
            first_line[qid] = q["id_line"]

    roots = _assemble(w, raw_codes)
    served = _check_tree(w, roots, set(first_line))
    for qid, line in first_line.items():
        if qid not in served:
            w.warning(line, _("evaluation question '{id}' is not served by any code").format(
                id=qid))

    problems = _sorted(w.problems)
    if any(p.is_error for p in problems):
        return None, problems

    programme = _text(meta.get("programme", ""))
    cb = Codebook(
        id=_text(meta["codebook"]),
        title=_text(meta["title"]),
        programme=programme,
        version=_text(meta.get("version", "")),
        language=_text(meta.get("language", "fr")) or "fr",
        description=_text(meta.get("description", "")),
        questions=tuple(
            EvaluationQuestion(
                id=_text(q["id"]),
                programme=_text(q["programme"]) if q.get("programme") is not None else programme,
                side=_text(q["side"]),
                text=_text(q["text"]),
                source=_text(q.get("source") or ""),
                proposed=bool(q.get("proposed") or False),
            )
            for q in raw_questions
        ),
        codes=tuple(_build_code(c) for c in roots),
    )
    return cb, problems


def _sorted(problems: list[CodebookProblem]) -> list[CodebookProblem]:
    return sorted(problems, key=lambda p: (p.severity != "error", p.line))


def _read(path: str | PathLike) -> tuple[str | None, CodebookProblem | None]:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, CodebookProblem(name, 1, _("cannot read the file: {reason}").format(
            reason=exc.strerror or exc))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, CodebookProblem(name, line, _("not valid UTF-8 (byte offset {offset}); save "
                                                   "the file as UTF-8").format(offset=exc.start))


def validate_codebook_text(text: str, filename: str = "<string>") -> list[CodebookProblem]:
    return parse_codebook(text, filename)[1]


def validate_codebook_file(path: str | PathLike) -> list[CodebookProblem]:
    """Every problem of the file (errors and warnings); an empty list means clean."""
    text, problem = _read(path)
    if problem is not None:
        return [problem]
    assert text is not None                     # (no problem: the text was read)
    return validate_codebook_text(text, str(path))


def loads_codebook(text: str, filename: str = "<string>") -> Codebook:
    """Load from text; raises :class:`CodebookError` if there is any error."""
    cb, problems = parse_codebook(text, filename)
    if cb is None:
        raise CodebookError(problems)
    return cb


def load_codebook(path: str | PathLike) -> Codebook:
    """Load a codebook file; raises :class:`CodebookError` (naming file and line of
    every problem) if there is any error.  Warnings do not block loading: get them
    with :func:`validate_codebook_file`."""
    text, problem = _read(path)
    if problem is not None:
        raise CodebookError([problem])
    assert text is not None
    return loads_codebook(text, str(path))


# ---------------------------------------------------------------------------
# dump
# ---------------------------------------------------------------------------
class _Flow(list):
    """A list written in flow style: ``[AV-B1, AV-B2]``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):   # "  - item" under a key
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)


def _code_dict(code: CodeDef) -> dict:
    d: dict = {"name": code.name}
    if code.guid is not None:
        d["guid"] = code.guid
    if code.colour is not None:
        d["colour"] = code.colour
    for key in CODE_TEXT_KEYS:          # empty texts are left out (they load as "")
        if getattr(code, key):
            d[key] = getattr(code, key)
    if code.questions:
        d["questions"] = _Flow(code.questions)
    if code.children:
        d["children"] = [_code_dict(c) for c in code.children]
    return d


def dump_codebook(cb: Codebook) -> str:
    """The codebook as YAML text in the nested form; ``loads_codebook(dump_codebook(cb))
    == cb`` for any valid codebook whose texts are stripped and NFC (as loaded ones are)."""
    doc = {
        "codebook": cb.id,
        "title": cb.title,
        "programme": cb.programme,
        "version": cb.version,
        "language": cb.language,
        "description": cb.description,
        "questions": [
            {"id": q.id, "programme": q.programme, "side": q.side, "text": q.text,
             "source": q.source, "proposed": q.proposed}
            for q in cb.questions
        ],
        "codes": [_code_dict(c) for c in cb.codes],
    }
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return "# Workbench codebook; format: docs/codebook-format.md\n" + body


def save_codebook(cb: Codebook, path: str | PathLike) -> None:
    text = dump_codebook(cb)
    with atomic_output(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
