"""The codebook as typed, immutable values.

A :class:`Codebook` holds the evaluation questions of a programme and a tree of
:class:`CodeDef`.  A code is addressed by its *path*: the names from the root
down, joined by ``/`` (``"Parcours/Accès à la formation"``); this is why a code
name may not contain ``/``.  Nothing here reads or writes files: see
:mod:`workbench.codebook.yaml_format` and :mod:`workbench.codebook.qdc`.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterator

from workbench.i18n import _, located

#: The sides ("volets") an evaluation question belongs to.
SIDES: tuple[str, ...] = ("beneficiaries", "ecosystem", "training_bodies", "trainers")

#: Separator of the names in a code path.
PATH_SEP = "/"


def join_path(*names: str) -> str:
    """``join_path("Parcours", "Accès")`` -> ``"Parcours/Accès"`` (empty parts skipped)."""
    return PATH_SEP.join(n for n in names if n)


def split_path(path: str) -> tuple[str, ...]:
    """``"Parcours/Accès"`` -> ``("Parcours", "Accès")``; blanks around names are ignored."""
    return tuple(p.strip() for p in path.split(PATH_SEP) if p.strip())


def name_key(name: str) -> str:
    """Key under which two sibling names count as the same: NFC, case-folded, stripped."""
    return unicodedata.normalize("NFC", name).strip().casefold()


@dataclass(frozen=True)
class EvaluationQuestion:
    id: str                 # "AV-B1": unique in the codebook
    programme: str          # "avenir"
    side: str               # one of SIDES
    text: str
    source: str = ""        # where the question comes from (cahier des charges, note de cadrage...)
    proposed: bool = False  # True: proposed by the evaluation team, not in the official terms


@dataclass(frozen=True)
class CodeDef:
    name: str
    colour: str | None = None       # "#RRGGBB" (upper case) or None
    short: str = ""                 # one-line summary shown in lists
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    questions: tuple[str, ...] = ()  # ids of the evaluation questions this code serves
    children: tuple["CodeDef", ...] = ()
    guid: str | None = None         # explicit REFI-QDA GUID; None: derived from codebook id + path

    def iter_tree(self, prefix: str = "") -> Iterator[tuple[str, "CodeDef"]]:
        """This code and its descendants, depth first, with their paths."""
        path = join_path(prefix, self.name)
        yield path, self
        for child in self.children:
            yield from child.iter_tree(path)


@dataclass(frozen=True)
class Codebook:
    id: str                 # "avenir": short machine name
    title: str
    programme: str = ""
    version: str = ""
    language: str = "fr"
    description: str = ""
    questions: tuple[EvaluationQuestion, ...] = ()
    codes: tuple[CodeDef, ...] = ()

    # -- codes ---------------------------------------------------------------
    def iter_codes(self) -> Iterator[tuple[str, CodeDef]]:
        """Every code with its path (``"Parent/Child"``), depth first, in file order."""
        for code in self.codes:
            yield from code.iter_tree()

    def iter_codes_with_parent(self) -> Iterator[tuple[str, CodeDef, str | None]]:
        """Like :meth:`iter_codes`, with the parent's path (None for a root code)."""
        def walk(code: CodeDef, parent: str | None):
            path = join_path(parent or "", code.name)
            yield path, code, parent
            for child in code.children:
                yield from walk(child, path)
        for code in self.codes:
            yield from walk(code, None)

    def find(self, path: str) -> CodeDef | None:
        """The code at ``path`` or None.  Names match case-insensitively (NFC)."""
        wanted = [name_key(n) for n in split_path(path)]
        if not wanted:
            return None
        level: tuple[CodeDef, ...] = self.codes
        found: CodeDef | None = None
        for key in wanted:
            found = next((c for c in level if name_key(c.name) == key), None)
            if found is None:
                return None
            level = found.children
        return found

    def code_paths(self) -> list[str]:
        return [p for p, _code in self.iter_codes()]

    def count(self) -> int:
        """Number of codes, at every depth."""
        return sum(1 for _item in self.iter_codes())

    # -- questions -----------------------------------------------------------
    def question(self, qid: str) -> EvaluationQuestion | None:
        return next((q for q in self.questions if q.id == qid), None)

    def codes_for_question(self, qid: str) -> list[str]:
        """Paths of the codes that serve evaluation question ``qid``."""
        return [p for p, c in self.iter_codes() if qid in c.questions]

    def uncovered_questions(self) -> list[EvaluationQuestion]:
        """Questions that no code serves."""
        served = {q for _path, c in self.iter_codes() for q in c.questions}
        return [q for q in self.questions if q.id not in served]


# -- problems (the YAML and .qdc readers raise them; here, so that reading a .qdc
# never loads the YAML library) --------------------------------------------------
@dataclass(frozen=True)
class CodebookProblem:
    """One problem in a codebook file.  ``line`` is 1-based."""

    file: str
    line: int
    message: str
    severity: str = "error"   # "error" blocks loading; "warning" does not

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        if self.severity == "warning":
            return located(f"{self.file}:{self.line}", _("warning: {message}").format(
                message=self.message))
        return located(f"{self.file}:{self.line}", self.message)


class CodebookError(Exception):
    """A codebook that cannot be loaded.  ``problems`` holds every problem found
    (errors first, then warnings), each naming its file and line."""

    def __init__(self, problems: list[CodebookProblem] | CodebookProblem):
        if isinstance(problems, CodebookProblem):
            problems = [problems]
        self.problems: list[CodebookProblem] = list(problems)
        shown = self.errors or self.problems
        super().__init__("\n".join(str(p) for p in shown))

    @property
    def errors(self) -> list[CodebookProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[CodebookProblem]:
        return [p for p in self.problems if p.severity == "warning"]
