"""The query language: tokenizer, recursive-descent parser and AST, with positions.

A query is a code expression, optionally followed by ``WHERE`` and a filter::

    "Freins/Mobilité" AND "Immersion en entreprise" WHERE actor = beneficiary
    TURN(Freins AND NOT Accompagnement) WHERE emploi_6m = non AND heures_formation >= 300
    Freins FOLLOWED BY Solutions WITHIN 2 TURNS WHERE canal_entree IN ("CEP", "PLIE")

Grammar (keywords are case-insensitive; quoted strings are never keywords)::

    query      := [expr] [WHERE condition]
    expr       := and_expr (OR and_expr)*
    and_expr   := seq_expr (AND [NOT] seq_expr)*
    seq_expr   := unary (FOLLOWED BY unary [WITHIN INTEGER (CHARS | TURNS)])*
    unary      := NOT unary | primary
    primary    := '(' expr ')' | TURN '(' expr ')' | '*'
                | [code:] (STRING | WORD | NUMBER) [WITH DESCENDANTS | WITHOUT DESCENDANTS]
    condition  := cond_and (OR cond_and)*
    cond_and   := cond_not (AND cond_not)*
    cond_not   := NOT cond_not | '(' condition ')' | comparison
    comparison := field (op value | [NOT] IN '(' value (',' value)* ')' | IS [NOT] MISSING)
    op         := = | != | <> | < | <= | > | >=
    value      := STRING | NUMBER | DATE | WORD

Strings are written "…", « … » or “ … ”.  Every error is a :class:`QueryError` that
points at the offending column of the expression with a caret line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn, Union

from workbench.domain import ValidationError
from workbench.i18n import N_, _
from workbench.safety.limits import MAX_QUERY_DEPTH, MAX_QUERY_TERMS

KEYWORDS = {"AND", "OR", "NOT", "FOLLOWED", "BY", "WITHIN", "WITH", "WITHOUT", "DESCENDANTS",
            "WHERE", "IN", "IS", "MISSING", "TURN", "TURNS", "CHARS", "CHARACTERS", "CHAR"}
CHAR_UNITS = {"CHARS", "CHARACTERS", "CHAR"}
TURN_UNITS = {"TURNS", "TURN"}
QUOTES = {'"': '"', "«": "»", "“": "”"}


class QueryError(ValidationError):
    """A syntax or meaning error in a query, with the column it points at."""

    title = N_("Query error")

    def __init__(self, message: str, expression: str = "", pos: int = 0, end: int | None = None):
        self.message = message
        self.expression = expression
        self.pos = max(0, pos)
        self.end = max(self.pos + 1, end if end is not None else self.pos + 1)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.expression:
            return self.message
        shown = self.expression.replace("\n", " ").replace("\t", " ")
        width = max(1, min(self.end, len(shown) + 1) - self.pos)
        where = _("{message} (column {n})").format(message=self.message, n=self.pos + 1)
        return f"{where}\n  {shown}\n  {' ' * self.pos}{'^' * width}"


# -- tokens -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str          # STRING NUMBER DATE WORD OP LPAREN RPAREN COMMA STAR CODE EOF
    text: str
    value: object
    pos: int
    end: int

    def kw(self) -> str | None:
        """The keyword this token spells, if it is a bare word keyword."""
        if self.kind == "WORD" and self.text.upper() in KEYWORDS:
            return self.text.upper()
        return None


_SPACE = re.compile(r"\s+")
_OPS = re.compile(r"<=|>=|!=|<>|==|=|<|>")
_CODE_PREFIX = re.compile(r"code:", re.I)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w/])")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?![\w/.\-'])")
_WORD = re.compile(r"(?:[^\s()\",=<>!«»“”*]|!(?!=))+")


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        ch = text[i]
        if ch in QUOTES:
            close = QUOTES[ch]
            j, buf = i + 1, []
            while j < n and text[j] != close:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise QueryError(_("unterminated string: missing closing {close}").format(
                    close=close), text, i, n)
            out.append(Token("STRING", text[i:j + 1], "".join(buf), i, j + 1))
            i = j + 1
            continue
        if ch in "(),*":
            kind = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA", "*": "STAR"}[ch]
            out.append(Token(kind, ch, ch, i, i + 1))
            i += 1
            continue
        for kind, rx in (("OP", _OPS), ("CODE", _CODE_PREFIX), ("DATE", _DATE),
                         ("NUMBER", _NUMBER), ("WORD", _WORD)):
            m = rx.match(text, i)
            if m:
                tok = m.group(0)
                value: object = tok
                if kind == "NUMBER":
                    value = float(tok)
                elif kind == "OP":
                    value = {"==": "=", "<>": "!="}.get(tok, tok)
                out.append(Token(kind, tok, value, i, m.end()))
                i = m.end()
                break
        else:
            raise QueryError(_("unexpected character {ch!r}").format(ch=ch), text, i)
    out.append(Token("EOF", "", None, n, n))
    return out


# -- AST ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Code:
    ref: str
    descendants: bool | None      # None: the caller's default
    pos: int
    end: int


@dataclass(frozen=True)
class AnyCode:
    pos: int
    end: int


@dataclass(frozen=True)
class And:
    left: "Expr"
    right: "Expr"
    pos: int
    end: int


@dataclass(frozen=True)
class AndNot:
    left: "Expr"
    right: "Expr"
    pos: int
    end: int


@dataclass(frozen=True)
class Or:
    left: "Expr"
    right: "Expr"
    pos: int
    end: int


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    pos: int
    end: int


@dataclass(frozen=True)
class FollowedBy:
    left: "Expr"
    right: "Expr"
    distance: int | None          # None: anywhere later in the same document
    unit: str                     # "chars" | "turns"
    pos: int
    end: int


@dataclass(frozen=True)
class TurnScope:
    expr: "Expr"
    pos: int
    end: int


Expr = Union[Code, AnyCode, And, AndNot, Or, Not, FollowedBy, TurnScope]


@dataclass(frozen=True)
class Value:
    value: object                 # str or float
    kind: str                     # STRING NUMBER DATE WORD
    text: str
    pos: int
    end: int


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str                       # = != < <= > >= in notin missing notmissing
    values: tuple[Value, ...]
    pos: int                      # field position
    end: int


@dataclass(frozen=True)
class CondAnd:
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True)
class CondOr:
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True)
class CondNot:
    operand: "Condition"
    pos: int


Condition = Union[Comparison, CondAnd, CondOr, CondNot]


@dataclass(frozen=True)
class Query:
    text: str
    expr: Expr | None
    where: Condition | None
    where_offset: int = 0         # where the condition's text starts (for messages)
    codes: tuple[Code, ...] = field(default=())


# -- parser -------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0          # current nesting of ( ), NOT, TURN( )
        self.terms = 0          # codes and comparisons so far

    # helpers
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def advance(self) -> Token:
        t = self.toks[self.i]
        if t.kind != "EOF":
            self.i += 1
        return t

    def at_kw(self, *names: str) -> bool:
        return self.tok.kw() in names

    def expect_kw(self, name: str, after: str) -> Token:
        if not self.at_kw(name):
            self.fail(_("expected {keyword} after {word}").format(keyword=name, word=after))
        return self.advance()

    def fail(self, message: str, tok: Token | None = None) -> NoReturn:
        t = tok or self.tok
        found = _("the end of the query") if t.kind == "EOF" else repr(t.text)
        raise QueryError(_("{message}, found {found}").format(message=message, found=found),
                         self.text, t.pos, max(t.end, t.pos + 1))

    # query
    def query(self) -> Query:
        expr = None
        if not self.at_kw("WHERE") and self.tok.kind != "EOF":
            expr = self.expr()
        where, offset = None, 0
        if self.at_kw("WHERE"):
            w = self.advance()
            offset = w.end
            if self.tok.kind == "EOF":
                self.fail(_("expected a condition after WHERE"))
            where = self.condition()
        if self.tok.kind != "EOF":
            if expr is not None and self.tok.kind in ("STRING", "WORD", "NUMBER", "LPAREN", "CODE"):
                self.fail(_("expected AND, OR, FOLLOWED BY or WHERE between codes "
                            "(quote code names that contain spaces)"))
            self.fail(_("unexpected text"))
        _check_depth(expr, self.text)
        _check_depth(where, self.text)
        return Query(self.text, expr, where, offset, tuple(_codes(expr)))

    def expr(self) -> Expr:
        operands, ops = [self.and_expr()], []
        while self.at_kw("OR"):
            ops.append(self.advance())
            operands.append(self.and_expr())
        return _balanced(operands, ops, Or)

    def and_expr(self) -> Expr:
        left = self.seq_expr()
        run: list[Expr] = [left]         # a run of plain ANDs is balanced, like OR
        ops: list[Token] = []
        while self.at_kw("AND"):
            op = self.advance()
            if self.at_kw("NOT"):
                self.advance()
                right = self.seq_expr()
                left = AndNot(_balanced(run, ops, And), right, op.pos, self.toks[self.i - 1].end)
                run, ops = [left], []
            else:
                ops.append(op)
                run.append(self.seq_expr())
        return _balanced(run, ops, And)

    def nest(self, tok: Token) -> None:
        """One more level of ( ), NOT or TURN( ): refuse past :data:`MAX_QUERY_DEPTH`
        before the recursive descent can run out of stack."""
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise QueryError(_("the query is nested too deeply (more than {n} levels of "
                               "parentheses or NOT)").format(n=MAX_QUERY_DEPTH),
                             self.text, tok.pos, tok.end)

    def term(self, tok: Token) -> None:
        self.terms += 1
        if self.terms > MAX_QUERY_TERMS:
            raise QueryError(_("the query is too long (more than {n} codes and conditions)")
                             .format(n=MAX_QUERY_TERMS), self.text, tok.pos, tok.end)

    def seq_expr(self) -> Expr:
        left = self.unary()
        while self.at_kw("FOLLOWED"):
            op = self.advance()
            self.expect_kw("BY", "FOLLOWED")
            right = self.unary()
            distance, unit = None, "chars"
            if self.at_kw("WITHIN"):
                self.advance()
                t = self.tok
                number = float(t.text) if t.kind == "NUMBER" else -1.0
                if number != int(number) or number < 0:
                    self.fail(_("expected a whole number after WITHIN"))
                self.advance()
                distance = int(number)
                u = self.tok.kw()
                if u in CHAR_UNITS:
                    unit = "chars"
                elif u in TURN_UNITS:
                    unit = "turns"
                else:
                    self.fail(_("expected CHARS or TURNS after the distance"))
                self.advance()
            left = FollowedBy(left, right, distance, unit, op.pos, self.toks[self.i - 1].end)
        return left

    def unary(self) -> Expr:
        if self.at_kw("NOT"):
            op = self.advance()
            self.nest(op)
            operand = self.unary()
            self.depth -= 1
            return Not(operand, op.pos, op.end)
        return self.primary()

    def primary(self) -> Expr:
        t = self.tok
        if t.kind == "LPAREN":
            self.advance()
            self.nest(t)
            e = self.expr()
            if self.tok.kind != "RPAREN":
                self.fail(_("expected ')' to close the '(' of column {n}").format(n=t.pos + 1))
            self.advance()
            self.depth -= 1
            return e
        if t.kw() == "TURN" and self.toks[self.i + 1].kind == "LPAREN":
            self.advance()
            self.advance()
            self.nest(t)
            e = self.expr()
            if self.tok.kind != "RPAREN":
                self.fail(_("expected ')' to close TURN("))
            close = self.advance()
            self.depth -= 1
            return TurnScope(e, t.pos, close.end)
        self.term(t)
        if t.kind == "STAR":
            self.advance()
            return AnyCode(t.pos, t.end)
        start = t.pos
        if t.kind == "CODE":
            self.advance()
            t = self.tok
        if t.kind in ("STRING", "NUMBER", "DATE") or (t.kind == "WORD" and not t.kw()):
            self.advance()
            ref = t.value if t.kind == "STRING" else t.text
            if not str(ref).strip():
                raise QueryError(_("empty code name"), self.text, t.pos, t.end)
            desc = None
            end = t.end
            if self.at_kw("WITH", "WITHOUT"):
                w = self.advance()
                d = self.expect_kw("DESCENDANTS", w.text.upper())
                desc = w.kw() == "WITH"
                end = d.end
            return Code(str(ref).strip(), desc, start, end)
        if t.kw():
            self.fail(_("expected a code (quote it if it is named like the keyword {keyword})").format(
                keyword=t.kw()))
        self.fail(_("expected a code, '(' or TURN("))

    # conditions
    def condition(self) -> Condition:
        parts = [self.cond_and()]
        while self.at_kw("OR"):
            self.advance()
            parts.append(self.cond_and())
        return _balanced_cond(parts, CondOr)

    def cond_and(self) -> Condition:
        parts = [self.cond_not()]
        while self.at_kw("AND"):
            self.advance()
            parts.append(self.cond_not())
        return _balanced_cond(parts, CondAnd)

    def cond_not(self) -> Condition:
        if self.at_kw("NOT"):
            t = self.advance()
            self.nest(t)
            negated = CondNot(self.cond_not(), t.pos)
            self.depth -= 1
            return negated
        if self.tok.kind == "LPAREN":
            open_ = self.advance()
            self.nest(open_)
            c = self.condition()
            if self.tok.kind != "RPAREN":
                self.fail(_("expected ')' to close the '(' of column {n}").format(n=open_.pos + 1))
            self.advance()
            self.depth -= 1
            return c
        return self.comparison()

    def comparison(self) -> Comparison:
        f = self.tok
        self.term(f)
        if f.kind not in ("WORD", "STRING") or f.kw():
            self.fail(_("expected an attribute or field name (e.g. actor, programme, emploi_6m)"))
        self.advance()
        name = str(f.value)
        if self.tok.kind == "OP":
            op = self.advance()
            v = self.value()
            return Comparison(name, str(op.value), (v,), f.pos, v.end)
        negate = False
        if self.at_kw("NOT"):
            self.advance()
            negate = True
            if not self.at_kw("IN"):
                self.fail(_("expected IN after NOT"))
        if self.at_kw("IN"):
            self.advance()
            if self.tok.kind != "LPAREN":
                self.fail(_("expected '(' after IN"))
            self.advance()
            values = [self.value()]
            while self.tok.kind == "COMMA":
                self.advance()
                values.append(self.value())
            if self.tok.kind != "RPAREN":
                self.fail(_("expected ',' or ')' in the IN list"))
            close = self.advance()
            return Comparison(name, "notin" if negate else "in", tuple(values), f.pos, close.end)
        if self.at_kw("IS"):
            self.advance()
            neg = False
            if self.at_kw("NOT"):
                self.advance()
                neg = True
            m = self.expect_kw("MISSING", "IS")
            return Comparison(name, "notmissing" if neg else "missing", (), f.pos, m.end)
        self.fail(_("expected a comparison (=, !=, <, <=, >, >=, IN, IS MISSING) after "
                    "{name!r}").format(name=name))

    def value(self) -> Value:
        t = self.tok
        if t.kind in ("STRING", "NUMBER", "DATE", "WORD"):
            self.advance()
            return Value(t.value, t.kind, t.text, t.pos, t.end)
        self.fail(_("expected a value"))


def _balanced(operands: list, ops: list[Token], node: Callable[..., Any]) -> Any:
    """``a OP b OP c ...`` as a balanced tree (OR and AND are associative), so that a
    query of 1,000 alternatives is 10 levels deep, not 1,000."""
    if len(operands) == 1:
        return operands[0]
    mid = len(operands) // 2
    op = ops[mid - 1]
    return node(_balanced(operands[:mid], ops[:mid - 1], node),
                _balanced(operands[mid:], ops[mid:], node), op.pos, op.end)


def _balanced_cond(parts: list, node: Callable[..., Any]) -> Any:
    if len(parts) == 1:
        return parts[0]
    mid = len(parts) // 2
    return node(_balanced_cond(parts[:mid], node), _balanced_cond(parts[mid:], node))


def _check_depth(expr: Any, text: str) -> None:
    """Refuse an expression tree deeper than :data:`MAX_QUERY_DEPTH` (long chains of
    AND NOT or FOLLOWED BY), measured without recursion."""
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if node is None:
            continue
        if depth > MAX_QUERY_DEPTH:
            raise QueryError(_("the query is nested too deeply (more than {n} levels); split "
                               "it or group its terms with parentheses").format(n=MAX_QUERY_DEPTH),
                             text, getattr(node, "pos", 0), getattr(node, "end", None))
        for name in ("left", "right", "operand", "expr"):
            sub = getattr(node, name, None)
            if sub is not None and not isinstance(sub, str):
                stack.append((sub, depth + 1))


def _codes(expr: Expr | None) -> list[Code]:
    if expr is None:
        return []
    if isinstance(expr, Code):
        return [expr]
    out = []
    for name in ("left", "right", "operand", "expr"):
        sub = getattr(expr, name, None)
        if sub is not None:
            out.extend(_codes(sub))
    return out


def parse(text: str) -> Query:
    """Parse a query (code expression and/or WHERE filter)."""
    if text is None or not str(text).strip():
        raise QueryError(_("empty query: give a code expression, e.g. \"Freins\" AND Immersion"))
    return _Parser(str(text)).query()


def parse_condition(text: str) -> Query:
    """Parse a filter alone (what follows WHERE); positions refer to ``text``."""
    p = _Parser(str(text))
    if p.tok.kind == "EOF":
        raise QueryError(_("empty filter"))
    cond = p.condition()
    if p.tok.kind != "EOF":
        p.fail(_("expected AND, OR or the end of the filter"))
    _check_depth(cond, str(text))
    return Query(str(text), None, cond, 0, ())
