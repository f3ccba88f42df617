"""Tokenizer for QBO query statements.

Keywords are not told apart here: `select`, `true` or `and` are identifiers, and the parser
reads them case-insensitively where it expects them. Errors read like QBO's JavaCC parser.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sandbox.faults import QboFault, query_parser_error

TokenKind = Literal["identifier", "string", "number", "symbol", "eof"]

_SYMBOLS = ("<=", ">=", "=", "<", ">", "(", ")", ",", "*")
_SPACE = " \t\r\n"
_DIGITS = "0123456789"  # ASCII only: str.isdigit() also accepts "²", which int() refuses


@dataclass(frozen=True)
class Token:
    """One token; `text` is the source text, or the unescaped value of a string literal."""

    kind: TokenKind
    text: str
    line: int
    column: int

    def is_word(self, *words: str) -> bool:
        """Tell whether this is an identifier spelling one of `words`, ignoring case."""
        return self.kind == "identifier" and self.text.lower() in words


def tokenize(statement: str) -> list[Token]:
    """Split `statement` into tokens, ending with an `eof` token."""
    return _Lexer(statement).run()


class _Lexer:
    def __init__(self, statement: str) -> None:
        self.text = statement
        self.pos = 0
        self.line = 1
        self.line_start = 0

    def run(self) -> list[Token]:
        tokens: list[Token] = []
        while True:
            self._skip_space()
            if self.pos >= len(self.text):
                tokens.append(Token("eof", "", self.line, self._column()))
                return tokens
            tokens.append(self._token())

    def _column(self) -> int:
        return self.pos - self.line_start + 1

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            if self.text[self.pos] == "\n":
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1

    def _token(self) -> Token:
        line, column, char = self.line, self._column(), self.text[self.pos]
        if char == "'":
            return Token("string", self._string(), line, column)
        next_char = self.text[self.pos + 1 : self.pos + 2]
        if char in _DIGITS or (char == "-" and next_char and next_char in _DIGITS):
            return Token("number", self._take(_is_number_char, first=1), line, column)
        if char.isalpha() or char == "_":
            return Token("identifier", self._take(_is_identifier_char), line, column)
        for symbol in _SYMBOLS:
            if self.text.startswith(symbol, self.pos):
                self.pos += len(symbol)
                return Token("symbol", symbol, line, column)
        raise self._lexical_error(f'"{char}" ({ord(char)}), after : ""')

    def _take(self, accepts: Callable[[str], bool], first: int = 0) -> str:
        start = self.pos
        self.pos += first
        while self.pos < len(self.text) and accepts(self.text[self.pos]):
            self.pos += 1
        return self.text[start : self.pos]

    def _string(self) -> str:
        # A quote inside a literal is written \' (node-quickbooks PR #74); any other
        # backslash is an ordinary character, so names such as "A\B" survive.
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.text.startswith("'", self.pos + 1):
                chars.append("'")
                self.pos += 2
            elif char == "'":
                self.pos += 1
                return "".join(chars)
            else:
                chars.append(char)
                self.pos += 1
        raise self._lexical_error(f'<EOF> after : "{self.text[start:]}"')

    def _lexical_error(self, encountered: str) -> QboFault:
        where = f"line {self.line}, column {self._column()}"
        return query_parser_error(f"Lexical error at {where}.  Encountered: {encountered}")


def _is_number_char(char: str) -> bool:
    return char in _DIGITS or char == "."


def _is_identifier_char(char: str) -> bool:
    return char.isalnum() or char in "_."
