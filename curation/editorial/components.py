"""The upstream site's Markdown components (Nuxt MDC syntax) written as this site's embeds.

The upstream pages (`Language-Technology-Assessment/website`, `components/content/*.vue`) use
components in three forms:

    ::person{image="/images/x.png" name="Ada"}     a block, closed by a line `::`; blocks nest,
    Text about Ada.                                 may start with YAML props between `---` lines
    ::                                              and may have named parts (`#right`)

    :contribute                                     a component alone on its line
    generated :versionlink{repo=data}.              a component inside a sentence

`convert` turns them into embeds (curation.editorial.embeds), line by line, outside code
blocks. `UPSTREAM_COMPONENTS` is the table of every component name upstream has and the embed
it becomes. An unknown component is reported (file and line) and left exactly as written, so
no text is ever dropped; so is a known component used in a way this converter cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from curation import upstream_query

# Upstream component -> the embed it becomes (see the converters below for parameters).
UPSTREAM_COMPONENTS = {
    "author": "byline",
    "date": "byline",
    "the-index": "index",
    "person": "person",
    "people": "people",
    "note": "note",
    "contribute": "contribute",
    "partners": "partners",
    "as-seen-in": "as-seen-in",
    "action-button": "button",
    "grid": "index",
    "list": "index",
    "compare": "index",
    "news": "news",
    "guides": "guides",
    "landing": "landing",
    "spotlight": "spotlight",
    "versionlink": "versionlink",
    "appear": "appear",
    "gradient": "gradient",
}
# Named parts of blocks (`#right` in a spotlight); `#default` is the block's main part.
COMPONENT_SLOTS = {"spotlight": {"right"}}
# The full index embed lists at most this many models (the rest are one link away).
FULL_INDEX_LIMIT = "100"
# Blocks nested deeper than this are refused (real pages nest two deep).
MAX_NESTING = 16


class TooDeep(ValueError):
    """Components nested deeper than MAX_NESTING (a hostile or broken file)."""


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_OPEN = re.compile(r"^ {0,3}(:{2,})([A-Za-z][\w-]*)[ \t]*(\{.*\})?[ \t]*$")
_BLOCK_CLOSE = re.compile(r"^ {0,3}:{2,}[ \t]*$")
_ALONE = re.compile(r"^ {0,3}:([A-Za-z][\w-]*)[ \t]*(\{[^}\n]*\})?[ \t]*(\[[^\]\n]*\])?[ \t]*(\{[^}\n]*\})?[ \t]*$")
_INLINE = re.compile(r"(?<![\w:/\\]):([A-Za-z][\w-]*)(\{[^}\n]*\})")
_SLOT = re.compile(r"^ {0,3}#([A-Za-z][\w-]*)[ \t]*$")
_HTML_BYLINE = re.compile(r"^[ \t]*<(author|date)\s+:\1=\"\1\"\s*>\s*</\1>[ \t]*$")
_ATTRIBUTE = re.compile(r"""([:@]?[\w-]+)(?:=("[^"]*"|'[^']*'|[^\s}]+))?|[.#][\w-]+""")
_KRAMDOWN_ATTRIBUTES = re.compile(r"\{:[^}]*\}")


class ConversionContext:
    """What a conversion needs from the importer: where it is, how to report, and the link,
    image and model checks. The importer subclasses it; the defaults change nothing."""

    def warn(self, line: int, message: str) -> None:  # a problem an editor should fix
        pass

    def count(self, component: str) -> None:  # one more use of this upstream component
        pass

    def link(self, url: str, line: int) -> str:  # the address to write for an internal link
        return url

    def image(self, src: str, line: int, *, alt: str = "", title: str = "") -> str | None:
        """The library name of a picture referred to as `src`, or None if it is not there."""
        return src.rsplit("/", 1)[-1] or None

    def models(self, terms: list[str], line: int) -> None:  # check upstream model names
        pass

    def load_yaml(self, text: str, line: int):

        return yaml.safe_load(text)


def quote(value) -> str:
    """A parameter value as embeds read it: double-quoted, with `"` and `\\` escaped."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def embed(name: str, options: dict | None = None, positional: list[str] | None = None) -> str:
    parts = [quote(p) for p in (positional or [])]
    parts += [f"{key}={quote(value)}" for key, value in (options or {}).items() if value not in (None, "")]
    return "{% " + " ".join([name, *parts]) + " %}"


def parse_attributes(text: str | None) -> dict[str, str]:
    """MDC attributes `{image="/x.png" name=Ada .class #id flag}` as a dict (classes and ids
    are presentation and left out; a bare name is "true"; a `:` bind prefix is dropped)."""
    attributes: dict[str, str] = {}
    inner = (text or "").strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1]
    for match in _ATTRIBUTE.finditer(inner):
        if match.group(0)[0] in ".#":
            continue
        key = match.group(1).lstrip(":@")
        value = match.group(2)
        if value is None:
            attributes[key] = "true"
        elif value[0] in "\"'":
            attributes[key] = value[1:-1]
        else:
            attributes[key] = value
    return attributes


@dataclass
class _Block:
    name: str
    attributes: dict[str, str]
    props: dict
    line: int  # of the opening line
    content: list[str] = field(default_factory=list)
    content_line: int = 0  # of the first content line
    depth: int = 1


def convert(
    lines: list[str], first_line: int, context: ConversionContext, *, parent: str = "", depth: int = 0
) -> list[str]:
    """Convert the component lines of `lines` (the first of which is line `first_line` of its
    file) into embeds; other lines are returned unchanged. Raises TooDeep past MAX_NESTING."""
    if depth > MAX_NESTING:
        raise TooDeep(f"line {first_line}: components nested more than {MAX_NESTING} deep; refused")
    out: list[str] = []
    fence = ""
    i = 0
    while i < len(lines):
        text, number = lines[i], first_line + i
        fence_match = _FENCE.match(text)
        if fence:
            out.append(text)
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = ""
            i += 1
            continue
        if fence_match:
            fence = fence_match.group(1)
            out.append(text)
            i += 1
            continue
        opened = _BLOCK_OPEN.match(text)
        if opened:
            block, i = _read_block(lines, i, first_line, opened, context)
            block.depth = depth + 1
            out += _convert_block(block, context)
            continue
        slot = _SLOT.match(text)
        if slot and parent:
            name = slot.group(1)
            if name in COMPONENT_SLOTS.get(parent, set()):
                out.append(embed(name))
            elif name != "default":
                context.warn(number, f"#{name}: ::{parent} has no part called {name!r}; left as written")
                out.append(text)
            i += 1
            continue
        if byline := _HTML_BYLINE.match(text):
            context.count(byline.group(1))
            out.append(embed("byline"))
            i += 1
            continue
        alone = _ALONE.match(text)
        if alone and (alone.group(1) in UPSTREAM_COMPONENTS or alone.group(2) or alone.group(4)):
            attributes = {**parse_attributes(alone.group(2)), **parse_attributes(alone.group(4))}
            label = (alone.group(3) or "")[1:-1]
            block = _Block(alone.group(1), attributes, {}, number, [label] if label else [], number)
            out += _convert_block(block, context, literal=text)
            i += 1
            continue
        out.append(_convert_inline(text, number, context))
        i += 1
    return _merge_bylines(out)


def _read_block(lines, start, first_line, opened, context) -> tuple[_Block, int]:
    """The block opened on line `start`: its props, its content up to the matching `::`."""
    number = first_line + start
    block = _Block(opened.group(2), parse_attributes(opened.group(3)), {}, number)
    i = start + 1
    if i < len(lines) and lines[i].strip() == "---":
        end = next((k for k in range(i + 1, len(lines)) if lines[k].strip() == "---"), None)
        if end is None:
            context.warn(number, f"::{block.name}: its props (--- block) are never closed; read as text")
        else:
            try:
                props = context.load_yaml("\n".join(lines[i + 1 : end]), first_line + i + 1)
            except ValueError as exc:  # a refusal of the importer's safe reader: the file is bad
                raise type(exc)(f"::{block.name} props: {exc}") from None
            except yaml.YAMLError as exc:
                context.warn(first_line + i, f"::{block.name}: its props are not valid YAML ({exc}); read as text")
                props = None
            else:
                if props is not None and not isinstance(props, dict):
                    context.warn(first_line + i, f"::{block.name}: its props are not a mapping of names to values")
                    props = None
                if props is not None:
                    block.props = props
                    i = end + 1
    depth, fence = 0, ""
    block.content_line = first_line + i
    for k in range(i, len(lines)):
        text = lines[k]
        fence_match = _FENCE.match(text)
        if fence:
            if fence_match and fence_match.group(1)[0] == fence[0]:
                fence = ""
        elif fence_match:
            fence = fence_match.group(1)
        elif _BLOCK_OPEN.match(text):
            depth += 1
        elif _BLOCK_CLOSE.match(text):
            if depth == 0:
                block.content = lines[i:k]
                return block, k + 1
            depth -= 1
    context.warn(number, f"::{block.name} is never closed with a line `::`; it runs to the end of the file")
    block.content = lines[i:]
    return block, len(lines)


def _content(block: _Block, context: ConversionContext) -> list[str]:
    return convert(block.content, block.content_line, context, parent=block.name, depth=block.depth)


def _convert_block(block: _Block, context: ConversionContext, *, literal: str = "") -> list[str]:
    converter = _CONVERTERS.get(block.name)
    if converter is None:
        known = ", ".join(sorted(UPSTREAM_COMPONENTS))
        context.warn(block.line, f"unknown component {block.name!r} (known: {known}); left as written")
        if literal:
            return [literal]
        opening = f"::{block.name}" + (
            "{" + " ".join(f'{k}="{v}"' for k, v in block.attributes.items()) + "}" if block.attributes else ""
        )
        return [opening, *_content(block, context), "::"]
    context.count(block.name)
    return converter(block, context)


def _convert_inline(text: str, number: int, context: ConversionContext) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "versionlink":
            context.count(name)
            return embed("versionlink", parse_attributes(match.group(2)))
        if name in UPSTREAM_COMPONENTS:
            context.warn(number, f":{name} inside a sentence: put it on a line of its own; left as written")
        else:
            context.warn(number, f"unknown component {name!r} inside a sentence; left as written")
        return match.group(0)

    return _INLINE.sub(replace, text)


def _merge_bylines(lines: list[str]) -> list[str]:
    """Upstream writes author and date on two lines; they make one byline."""
    merged: list[str] = []
    for line in lines:
        if line == embed("byline") and merged and merged[-1] == line:
            continue
        merged.append(line)
    return merged


# --- one converter per component -------------------------------------------------------------
def _container(name: str, keys=()):
    def convert_block(block: _Block, context: ConversionContext) -> list[str]:
        options = {k: block.attributes.get(k, "") for k in keys}
        return [embed(name, options), *_content(block, context), embed(f"end{name}")]

    return convert_block


def _person(block: _Block, context: ConversionContext) -> list[str]:
    options = {"name": block.attributes.get("name", "")}
    src = block.attributes.get("image", "")
    if src:
        options["image"] = context.image(src, block.line, alt=options["name"]) or src.rsplit("/", 1)[-1]
    return [embed("person", options), *_content(block, context), embed("endperson")]


def _simple(name: str, params=()):
    def convert_block(block: _Block, context: ConversionContext) -> list[str]:
        options = {k: block.attributes[k] for k in params if k in block.attributes}
        text = " ".join(line.strip() for line in block.content if line.strip())
        if text and "text" in params:
            options["text"] = text
        elif text:
            context.warn(block.content_line, f"::{block.name} shows no text of its own; its content follows it")
            return [embed(name, options), *_content(block, context)]
        return [embed(name, options)]

    return convert_block


def index_options(props: dict, line: int, context: ConversionContext) -> dict[str, str]:
    """The `{% index %}` parameters for a `::the-index` block's props (filters, version,
    hideFilters), read through the one table of upstream query names. Without `filters`, the
    upstream list starts from its default query (text models), as the upstream page does."""
    filters = props.get("filters")
    if filters is None:
        filters = dict(upstream_query.UPSTREAM_DEFAULT_QUERY)
    if not isinstance(filters, dict):
        context.warn(line, "::the-index: `filters` is not a mapping of names to values; the whole index is shown")
        filters = {}
    query = {**filters}
    if props.get("version") not in (None, ""):
        query["version"] = props["version"]
    translated = upstream_query.translate(query)
    for message in translated.messages():
        context.warn(line, f"::the-index: {message}")
    for note in translated.notes:
        context.warn(line, f"::the-index: {note}")
    options = translated.embed_options()
    # Names the table does not know stay as written: the editor sees them reported, nothing is lost.
    for item in translated.unknown:
        name, _, value = item.partition("=")
        options[name] = value
    if "view" in props and "view" not in filters:
        # Upstream reads the view from `filters` only (and so showed its list); the author meant this.
        view = upstream_query.VIEWS.get(str(props["view"]).lower())
        if view:
            options = {"view": view, **options}
            context.warn(line, f"::the-index: `view: {props['view']}` belongs under `filters`; read as the list's view")
    for key in props:
        if key not in ("filters", "version", "hideFilters", "view"):
            context.warn(line, f"::the-index: unknown prop {key!r} (props: filters, version, hideFilters)")
    if translated.model_terms:
        context.models(translated.model_terms, line)
    if str(props.get("hideFilters", "")).lower() not in ("true", "1", "yes"):
        options["filters"] = "show"
        options.setdefault("limit", FULL_INDEX_LIMIT)
    return options


def _the_index(block: _Block, context: ConversionContext) -> list[str]:
    props = {**block.attributes, **block.props}
    lines = [embed("index", index_options(props, block.line, context))]
    rest = [line for line in block.content if line.strip()]
    if rest:
        lines += _content(block, context)
    return lines


def _all_models(view: str = "table"):
    def convert_block(block: _Block, context: ConversionContext) -> list[str]:
        options = {"view": view, "limit": FULL_INDEX_LIMIT} if view == "grid" else {"limit": FULL_INDEX_LIMIT}
        return [embed("index", options)] + (
            _content(block, context) if any(line.strip() for line in block.content) else []
        )

    return convert_block


def _landing(block: _Block, context: ConversionContext) -> list[str]:
    props = {**block.attributes, **block.props}
    lines = [embed("landing", {"title": props.get("title", "")})]
    links = props.get("links") or []
    if not isinstance(links, list):
        context.warn(block.line, "::landing: `links` is not a list; left out")
        links = []
    for item in links:
        if not isinstance(item, dict) or not item.get("link"):
            context.warn(block.line, f"::landing: link {item!r} has no `link`; left out")
            continue
        text = str(item.get("text") or item["link"]).replace("]", "\\]")
        lines.append(f"- [{text}]({context.link(str(item['link']), block.line)})")
    notes = str(props.get("notes") or "").strip()
    if notes:
        if _KRAMDOWN_ATTRIBUTES.search(notes):
            context.warn(
                block.line,
                '::landing: link attributes like {:target="_blank"} are not kept (links to other sites open as usual)',
            )
        lines += ["", *_KRAMDOWN_ATTRIBUTES.sub("", notes).splitlines()]
    for key in props:
        if key not in ("title", "links", "notes"):
            context.warn(block.line, f"::landing: unknown prop {key!r} (props: title, links, notes)")
    if any(line.strip() for line in block.content):
        lines += ["", *_content(block, context)]
    return [*lines, embed("endlanding")]


def _action_button(block: _Block, context: ConversionContext) -> list[str]:
    link = block.attributes.get("link") or block.attributes.get("to") or ""
    text = " ".join(line.strip() for line in block.content if line.strip()) or block.attributes.get("text", "")
    if not link or not text:
        context.warn(block.line, ":action-button needs a link and a text; left as written")
        return [f':action-button{{link="{link}"}}', *block.content]
    return [embed("button", {"link": context.link(link, block.line), "text": text})]


def _byline(block: _Block, context: ConversionContext) -> list[str]:
    return [embed("byline")]


_CONVERTERS: dict[str, Callable[[_Block, ConversionContext], list[str]]] = {
    "author": _byline,
    "date": _byline,
    "the-index": _the_index,
    "person": _person,
    "people": _container("people"),
    "note": _container("note"),
    "spotlight": _container("spotlight"),
    "landing": _landing,
    "contribute": _simple("contribute", ("text",)),
    "partners": _simple("partners"),
    "as-seen-in": _simple("as-seen-in"),
    "action-button": _action_button,
    "grid": _all_models("grid"),
    "list": _all_models(),
    "compare": _all_models(),
    "news": _simple("news"),
    "guides": _simple("guides"),
    "versionlink": _simple("versionlink", ("repo",)),
    "appear": _simple("appear", ("text",)),
    "gradient": _simple("gradient"),
}
