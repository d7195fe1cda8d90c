"""Markdown to safe HTML for posts, with live embeds.

Order matters for safety: the author's Markdown (which may contain raw HTML) is rendered by
markdown-it-py, then sanitised by nh3 against an explicit allow-list; only after that are the
embed placeholders replaced by HTML that our own templates produce (with every parameter
escaped). A placeholder carries a random per-render nonce, so an author cannot forge one.

Embeds are lines of their own (so they survive Markdown and never appear inside code blocks):

    {% chart "academic-share-latest" %}
    {% index view="grid" models="deepseek-v3, OLMo" type="text" performance_class="latest" %}
    {% byline %}

Some embeds hold Markdown between an opening and a closing line, and some have named parts:

    {% note %}
    Please read the **code of conduct** first.
    {% endnote %}

    {% spotlight %}
    The index lists open models ...
    {% right %}
    {% index view="grid" models="OLMo, lumo" %}
    {% endspotlight %}

A few small ones may also stand inside a sentence: `generated {% versionlink repo="data" %}.`
Which embed is which kind is said in `curation.editorial.embeds`.
"""

from __future__ import annotations

import re
import secrets
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import nh3
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from curation.conf import app_settings
from curation.editorial import embeds
from curation.weblinks import browser_url, is_http_url

_DIRECTIVE = re.compile(r"^\{%\s*([A-Za-z][\w-]*)(.*?)%\}\s*$")

# --- Sanitiser allow-list -------------------------------------------------------------------
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
# Removed together with their content (a script's text is not prose).
CONTENT_STRIPPED_TAGS = {"script", "style", "svg", "math", "template", "noscript", "object", "embed"}
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height", "loading"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "table": {"style"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "time": {"datetime"},
}
# Classes the Markdown plugins emit (footnotes, heading anchors); no others survive.
ALLOWED_CLASSES = {
    "a": {"header-anchor", "footnote-backref"},
    "sup": {"footnote-ref"},
    "section": {"footnotes"},
    "hr": {"footnotes-sep"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
}
# Table layout only; nothing that can position content over the page.
ALLOWED_STYLE_PROPERTIES = {
    "text-align",
    "vertical-align",
    "border",
    "border-collapse",
    "padding",
    "margin",
    "margin-top",
    "margin-bottom",
    "width",
}
URL_SCHEMES = {"http", "https", "mailto"}


def iframe_allowed(src: str) -> bool:
    """Only https iframes from the configured hosts (OSAI_IFRAME_ALLOWED_HOSTS), the host read
    as a browser reads it (curation.weblinks: WHATWG URL rules; no `\\`, no credentials)."""
    if not is_http_url(src):
        return False
    parsed = browser_url(src)
    allowed = {h.lower() for h in app_settings.OSAI_IFRAME_ALLOWED_HOSTS}
    return parsed.protocol == "https:" and not parsed.username and not parsed.password and parsed.hostname in allowed


def _attribute_filter(tag: str, attr: str, value: str):
    if tag == "iframe" and attr == "src" and not iframe_allowed(value):
        return None
    return value


_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.S)


def sanitise(html: str) -> str:
    """Clean an HTML fragment against the allow-list above."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CONTENT_STRIPPED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        allowed_classes=ALLOWED_CLASSES,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An iframe whose source was refused is dropped entirely rather than left as an empty box.
    return _EMPTY_IFRAME.sub("", cleaned)


# --- Markdown -------------------------------------------------------------------------------
@dataclass
class Directive:
    name: str
    positional: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    line: int = 0
    source: str = ""
    error: str = ""


def parse_directive(text: str, line: int = 0) -> Directive | None:
    """Parse `{% name arg key="value" %}`; None when the text is not a directive at all."""
    match = _DIRECTIVE.match(text.strip())
    if not match:
        return None
    directive = Directive(name=match.group(1).lower(), line=line, source=text.strip())
    try:
        parts = shlex.split(match.group(2), posix=True)
    except ValueError as exc:
        directive.error = f"cannot read the parameters ({exc})"
        return directive
    for part in parts:
        key, sep, value = part.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_][\w-]*", key):
            directive.options[key.lower().replace("-", "_")] = value
        else:
            directive.positional.append(part)
    return directive


def _line_text(state, line: int) -> str:
    begin = state.bMarks[line] + state.tShift[line]
    return state.src[begin : state.eMarks[line]]


def _directive_at(state, line: int) -> Directive | None:
    """The directive that line `line` is, if it is one (not indented as code)."""
    if state.sCount[line] - state.blkIndent >= 4:
        return None
    text = _line_text(state, line)
    return parse_directive(text, line=line + 1) if text.startswith("{%") else None


def _embed_block_rule(state, start_line, end_line, silent):
    directive = _directive_at(state, start_line)
    if directive is None:
        return False
    if silent:
        return True
    token = state.push("osai_embed", "", 0)
    token.meta = {"directive": directive}
    token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def _closing_line(state, start_line: int, end_line: int, name: str) -> int | None:
    """The line of the `{% end<name> %}` that closes the container opened at `start_line`."""
    depth = 0
    for line in range(start_line + 1, end_line):
        directive = _directive_at(state, line)
        if directive is None:
            continue
        if directive.name == name:
            depth += 1
        elif directive.name == f"end{name}":
            if depth == 0:
                return line
            depth -= 1
    return None


def _container_block_rule(state, start_line, end_line, silent):
    """`{% note %}` ... `{% endnote %}`: the lines between are Markdown of their own."""
    directive = _directive_at(state, start_line)
    if directive is None or directive.name not in embeds.CONTAINER_EMBEDS:
        return False
    closing = _closing_line(state, start_line, end_line, directive.name)
    if closing is None:
        return False  # read as a single embed, which reports the missing closing line
    if silent:
        return True
    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "container", closing
    token = state.push("osai_container_open", "", 1)
    token.meta = {"directive": directive}
    token.map = [start_line, closing + 1]
    token.block = True
    state.md.block.tokenize(state, start_line + 1, closing)
    token = state.push("osai_container_close", "", -1)
    token.meta = {"directive": directive}
    token.block = True
    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = closing + 1
    return True


_INLINE_DIRECTIVE = re.compile(r"\{%\s*([A-Za-z][\w-]*)(.*?)%\}")


def _embed_inline_rule(state, silent):
    """`{% versionlink repo="data" %}` inside a sentence (only embeds made for that)."""
    if not state.src.startswith("{%", state.pos):
        return False
    match = _INLINE_DIRECTIVE.match(state.src, state.pos)
    if not match or match.group(1).lower() not in embeds.INLINE_EMBEDS:
        return False
    if not silent:
        token = state.push("osai_inline_embed", "", 0)
        token.meta = {"directive": parse_directive(match.group(0))}
    state.pos = match.end()
    return True


def _placeholder_renderer(kind: str):
    """A render rule that notes the token's directive and writes its marker in the HTML: the
    marker is replaced by the embed's own HTML after sanitising (see render_markdown)."""

    def render(renderer, tokens, idx, options, env):
        found = env.setdefault("osai_embeds", [])
        found.append((kind, tokens[idx].meta["directive"]))
        marker = _marker(env, len(found) - 1, inline=kind == "inline")
        return marker if kind == "inline" else marker + "\n"

    return render


@lru_cache(maxsize=1)
def markdown_renderer() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        .use(footnote_plugin)
        .use(anchors_plugin, min_level=2, max_level=4, permalink=True, permalinkSymbol="#")
    )
    md.block.ruler.before("fence", "osai_container", _container_block_rule, {"alt": ["paragraph"]})
    md.block.ruler.before("paragraph", "osai_embed", _embed_block_rule, {"alt": ["paragraph"]})
    md.inline.ruler.before("text", "osai_inline_embed", _embed_inline_rule)
    md.add_render_rule("osai_embed", _placeholder_renderer("block"))
    md.add_render_rule("osai_container_open", _placeholder_renderer("open"))
    md.add_render_rule("osai_container_close", _placeholder_renderer("close"))
    md.add_render_rule("osai_inline_embed", _placeholder_renderer("inline"))
    return md


@dataclass(frozen=True)
class EmbedProblem:
    """One embed that cannot show what it should: where it is, what was written, and why."""

    line: int
    source: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"

    def describe(self) -> str:
        """The problem with the embed's own text, for refusals: `line 3, {% chart "x" %}: ...`."""
        return f"line {self.line}, {self.source}: {self.message}"


@dataclass
class Rendered:
    html: SafeString
    embed_problems: list[EmbedProblem]

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.embed_problems]


def render_markdown(body: str, *, post=None, preview: bool = False) -> Rendered:
    """Render a post body to safe HTML. In preview, embed problems show as visible error boxes;
    on the public page a broken embed quietly shows nothing (or a neutral placeholder)."""
    env: dict[str, Any] = {"osai_nonce": secrets.token_hex(8)}
    tokens = markdown_renderer().parse(body or "", env)
    _number_inline_embeds(tokens)
    html = sanitise(markdown_renderer().renderer.render(tokens, markdown_renderer().options, env))
    problems: list[EmbedProblem] = []
    open_containers: list[tuple[Directive, embeds.EmbedOutcome]] = []
    for index, (kind, directive) in enumerate(env.get("osai_embeds", [])):
        if kind == "close":
            opened = open_containers.pop() if open_containers else None
            html = html.replace(_marker(env, index), opened[1].closing_html if opened else "", 1)
            continue
        if kind == "block" and directive.name in embeds.SLOT_EMBEDS:
            outcome = _slot(directive, open_containers)
        else:
            outcome = embeds.render_embed(directive, post=post, context=kind)
        if kind == "open":
            open_containers.append((directive, outcome))
        if outcome.problem:
            problems.append(EmbedProblem(directive.line, directive.source, outcome.problem))
        replacement = outcome.html
        if outcome.problem and preview:
            # The box comes before whatever the embed could still show (e.g. the models found).
            box = render_to_string(
                "curation/editorial/embeds/error.html",
                {
                    "problem": outcome.problem,
                    "line": directive.line,
                    "source": directive.source,
                    "inline": kind == "inline",
                },
            )
            replacement = (box.strip() if kind == "inline" else box) + replacement
        html = html.replace(_marker(env, index, inline=kind == "inline"), replacement, 1)
    return Rendered(html=mark_safe(html), embed_problems=problems)  # noqa: S308 - sanitised above


def _marker(env, index: int, *, inline: bool = False) -> str:
    if inline:
        return f"osai-inline-{env['osai_nonce']}-{index}"
    return f"<p>osai-embed-{env['osai_nonce']}-{index}</p>"


def _slot(directive, open_containers) -> embeds.EmbedOutcome:
    """A divider like `{% right %}`: the HTML its container gave for it, or a problem."""
    owners = [name for name, slots in embeds.CONTAINER_SLOTS.items() if directive.name in slots]
    if open_containers and directive.name in open_containers[-1][1].slots:
        return embeds.EmbedOutcome(html=open_containers[-1][1].slots[directive.name])
    where = " or ".join(f"{{% {name} %}}" for name in owners)
    return embeds.EmbedOutcome(problem=f"{{% {directive.name} %}} belongs inside {where}")


def _number_inline_embeds(tokens) -> None:
    """Give inline embeds the line they stand on (block tokens know theirs)."""
    for token in tokens:
        if token.type == "inline" and token.children and token.map:
            for child in token.children:
                if child.type == "osai_inline_embed":
                    child.meta["directive"].line = token.map[0] + 1
