"""Recursive-descent parser for QBO's query statements.

    select *|count(*)|field[, …] from Entity [where c [and c]…] [orderby|order by F [asc|desc]]
        [startposition n] [maxresults m]      (the last two in either order)
    c := field (= | < | > | <= | >=) value | field in (value[, …]) | field like 'text'

Any failure is a 4000 fault whose Detail imitates QBO's JavaCC messages.
"""

from typing import cast

from sandbox.faults import QboFault, query_parser_error
from sandbox.query.lexer import Token, tokenize
from sandbox.query.syntax import Condition, Operator, Query, Value

_COMPARISONS = ("=", "<", ">", "<=", ">=")


def parse_query(statement: str) -> Query:
    """Parse `statement`, raising a 4000 `QboFault` when it is not a query QBO would parse."""
    if not statement.strip():
        raise query_parser_error("The query provided was empty")
    return _Parser(tokenize(statement)).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def _advance(self) -> Token:
        token = self.token
        self.pos += 1
        return token

    def _keyword(self, *words: str) -> bool:
        if self.token.is_word(*words):
            self.pos += 1
            return True
        return False

    def _expect_keyword(self, word: str) -> None:
        if not self._keyword(word):
            raise self._error(f'"{word}"')

    def _expect_symbol(self, symbol: str) -> None:
        if self.token.kind != "symbol" or self.token.text != symbol:
            raise self._error(f'"{symbol}"')
        self.pos += 1

    def _identifier(self) -> str:
        if self.token.kind != "identifier":
            raise self._error("<IDENTIFIER>")
        return self._advance().text

    def _integer(self) -> int:
        if self.token.kind != "number" or not self.token.text.isdigit():
            raise self._error("<INTEGER>")
        return int(self._advance().text)

    def query(self) -> Query:
        self._expect_keyword("select")
        count, fields = self._select_list()
        self._expect_keyword("from")
        entity = self._identifier()
        where = self._where() if self._keyword("where") else ()
        order_by, descending = self._order_by()
        paging: dict[str, int] = {}
        while self.token.is_word("startposition", "maxresults"):
            if self.token.text.lower() in paging:
                raise self._error("<EOF>")
            clause = self._advance().text.lower()
            paging[clause] = self._integer()
        if self.token.kind != "eof":
            raise self._error('"and"', '"orderby"', '"startposition"', '"maxresults"')
        return Query(
            entity=entity,
            count=count,
            where=where,
            order_by=order_by,
            descending=descending,
            start_position=paging.get("startposition"),
            max_results=paging.get("maxresults"),
            fields=fields,
        )

    def _select_list(self) -> tuple[bool, tuple[str, ...] | None]:
        """Return whether this is count(*), and the fields named (None when `*` is among them)."""
        if self._keyword("count"):
            self._expect_symbol("(")
            self._expect_symbol("*")
            self._expect_symbol(")")
            return True, None
        star, names = False, []
        while True:
            if self.token.kind == "symbol" and self.token.text == "*":
                star, self.pos = True, self.pos + 1
            elif self.token.kind != "identifier" or self.token.is_word("from"):
                raise self._error('"*"', '"count"', "<IDENTIFIER>")
            else:
                names.append(self._advance().text)
            if not (self.token.kind == "symbol" and self.token.text == ","):
                return False, None if star else tuple(names)
            self.pos += 1

    def _where(self) -> tuple[Condition, ...]:
        conditions = [self._condition()]
        while self._keyword("and"):
            conditions.append(self._condition())
        return tuple(conditions)

    def _condition(self) -> Condition:
        field = self._identifier()
        if self._keyword("in"):
            self._expect_symbol("(")
            values = [self._value()]
            while self.token.kind == "symbol" and self.token.text == ",":
                self.pos += 1
                values.append(self._value())
            self._expect_symbol(")")
            return Condition(field, "in", tuple(values))
        if self._keyword("like"):
            if self.token.kind != "string":
                raise self._error("<STRING>")
            return Condition(field, "like", (Value("string", self._advance().text),))
        if self.token.kind == "symbol" and self.token.text in _COMPARISONS:
            operator = cast(Operator, self._advance().text)
            return Condition(field, operator, (self._value(),))
        raise self._error(*(f'"{op}"' for op in (*_COMPARISONS, "in", "like")))

    def _value(self) -> Value:
        token = self.token
        if token.kind in ("string", "number"):
            self.pos += 1
            return Value("string" if token.kind == "string" else "number", token.text)
        if token.is_word("true", "false"):
            self.pos += 1
            return Value("boolean", token.text.lower())
        raise self._error("<STRING>", "<NUMBER>", '"true"', '"false"')

    def _order_by(self) -> tuple[str | None, bool]:
        if self._keyword("order"):
            self._expect_keyword("by")
        elif not self._keyword("orderby"):
            return None, False
        field = self._identifier()
        if self._keyword("desc"):
            return field, True
        self._keyword("asc")
        return field, False

    def _error(self, *expected: str) -> QboFault:
        token = self.token
        if token.kind == "eof":
            found = '"<EOF>"'
        else:
            kind = {"identifier": "<IDENTIFIER>", "string": "<STRING>", "number": "<NUMBER>"}
            label = (
                f"<{token.text.upper()}>" if token.is_word("or", "and") else kind.get(token.kind)
            )
            shown = f"'{token.text}'" if token.kind == "string" else token.text
            found = f'" {label} "{shown} ""' if label else f'" "{token.text}" "{token.text} ""'
        heading = "Was expecting:" if len(expected) == 1 else "Was expecting one of:"
        options = "".join(f"\n    {option} ..." for option in expected)
        where = f"at line {token.line}, column {token.column}."
        return query_parser_error(f"Encountered {found} {where}\n{heading}{options}\n    ")
