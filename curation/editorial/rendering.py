"""Markdown to safe HTML for posts, with live embeds.

Order matters for safety: the author's Markdown (which may contain raw HTML) is rendered by
markdown-it-py, then sanitised by nh3 against an explicit allow-list; only after that are the
embed placeholders replaced by HTML that our own templates produce (with every parameter
escaped). A placeholder carries a random per-render nonce, so an author cannot forge one.

Embeds are lines of their own (so they survive Markdown and never appear inside code blocks):

    {% chart "academic-share-latest" %}
    {% index view="grid" models="deepseek-v3, OLMo" type="text" performance_class="latest" %}
    {% byline %}
"""
from __future__ import annotations

import re
import secrets
import shlex
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from curation.editorial import embeds
from curation.weblinks import browser_url, is_http_url

_DIRECTIVE = re.compile(r"^\{%\s*([A-Za-z][\w-]*)(.*?)%\}\s*$")

# --- Sanitiser allow-list -------------------------------------------------------------------
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul",
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
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "table": {"style"}, "th": {"style", "colspan", "rowspan"}, "td": {"style", "colspan", "rowspan"},
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
    "text-align", "vertical-align", "border", "border-collapse", "padding", "margin", "margin-top",
    "margin-bottom", "width",
}
URL_SCHEMES = {"http", "https", "mailto"}


def iframe_allowed(src: str) -> bool:
    """Only https iframes from the configured hosts (OSAI_IFRAME_ALLOWED_HOSTS), the host read
    as a browser reads it (curation.weblinks: WHATWG URL rules; no `\\`, no credentials)."""
    if not is_http_url(src):
        return False
    parsed = browser_url(src)
    allowed = {h.lower() for h in getattr(settings, "OSAI_IFRAME_ALLOWED_HOSTS", [])}
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


def _embed_block_rule(state, start_line, end_line, silent):
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    text = state.src[begin:state.eMarks[start_line]]
    if not text.startswith("{%"):
        return False
    directive = parse_directive(text, line=start_line + 1)
    if directive is None:
        return False
    if silent:
        return True
    token = state.push("osai_embed", "", 0)
    token.meta = {"directive": directive}
    token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def _render_embed_placeholder(renderer, tokens, idx, options, env):
    found = env.setdefault("osai_embeds", [])
    found.append(tokens[idx].meta["directive"])
    return f"<p>osai-embed-{env['osai_nonce']}-{len(found) - 1}</p>\n"


@lru_cache(maxsize=1)
def markdown_renderer() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        .use(footnote_plugin)
        .use(anchors_plugin, min_level=2, max_level=4, permalink=True, permalinkSymbol="#")
    )
    md.block.ruler.before("paragraph", "osai_embed", _embed_block_rule, {"alt": ["paragraph"]})
    md.add_render_rule("osai_embed", _render_embed_placeholder)
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
    env = {"osai_nonce": secrets.token_hex(8)}
    html = sanitise(markdown_renderer().render(body or "", env))
    problems: list[EmbedProblem] = []
    for index, directive in enumerate(env.get("osai_embeds", [])):
        outcome = embeds.render_embed(directive, post=post)
        if outcome.problem:
            problems.append(EmbedProblem(directive.line, directive.source, outcome.problem))
        replacement = outcome.html
        if outcome.problem and preview:
            # The box comes before whatever the embed could still show (e.g. the models found).
            replacement = render_to_string(
                "editorial/embeds/error.html",
                {"problem": outcome.problem, "line": directive.line, "source": directive.source},
            ) + replacement
        html = html.replace(f"<p>osai-embed-{env['osai_nonce']}-{index}</p>", replacement, 1)
    return Rendered(html=mark_safe(html), embed_problems=problems)  # noqa: S308 - sanitised above
