"""The API's JSON parser: DRF's, with limits that keep odd bodies from reaching the services.

- Nesting deeper than `MAX_DEPTH` is refused (Python's parser would raise RecursionError a few
  thousand levels down, which DRF does not turn into a 400).
- Strings holding a NUL character are refused: PostgreSQL's text and jsonb types cannot store one.
Each refusal is a ParseError (400) whose message says what was wrong.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def check_json_value(data, max_depth: int = MAX_DEPTH) -> None:
    """Raise ParseError when `data` nests deeper than `max_depth` or holds a NUL character."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("JSON parse error - strings may not contain NUL characters (\\u0000).")
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                raise ParseError(f"JSON parse error - nested more than {max_depth} levels deep.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise ParseError("JSON parse error - keys may not contain NUL characters (\\u0000).")
                stack.append((item, depth + 1))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.") from None
        check_json_value(data)
        return data
