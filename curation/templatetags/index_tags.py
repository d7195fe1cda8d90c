"""Template helpers of the public pages: links that keep the reader's filters, score display."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from curation import vocab
from curation.scoring import as_percent
from curation.weblinks import is_http_url

register = template.Library()


@register.filter
def http_href(value) -> str:
    """A stored link fit for href: the URL when it is http(s) (curation.weblinks), else "".

    Values are checked when written; this keeps any older value from becoming a clickable
    script (a `javascript:` link) on a reader's page."""
    return value if isinstance(value, str) and _is_http_url(value) else ""


@lru_cache(maxsize=8192)
def _is_http_url(value: str) -> bool:
    # Remembered per text: an index page checks a thousand evidence links, mostly the same ones.
    return is_http_url(value)


def _shortened(text: str, chars: int) -> str:
    """Truncator's `chars`, without its per-character work when the text is short enough."""
    return text if len(text) <= chars else Truncator(text).chars(chars)


@register.simple_tag(takes_context=True)
def absolute_uri(context, path: str) -> str:
    """`path` as a full address on this site (link previews need one); as given without a request."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None and path else path


@register.simple_tag(takes_context=True)
def theme_switch(context) -> str:
    """The layout's links that choose a colour scheme (`themes`, curation.public.theme), each
    coming back to this page, the reader's (`theme`) marked current; " · " between them. Made
    here in one go, with the scheme view's address worked out once, rather than by a template
    loop asking for it per link on every page."""
    request = context.get("request")
    back = quote(request.get_full_path(), safe="/") if request is not None else ""
    chosen, target = context.get("theme"), reverse("curation:theme")
    return mark_safe(  # noqa: S308 - every link made by format_html
        " · ".join(
            format_html(
                '<a href="{}?mode={}&amp;next={}"{} rel="nofollow">{}</a>',
                target,
                mode,
                back,
                mark_safe(' aria-current="true"') if mode == chosen else "",
                "as the system" if mode == "auto" else mode,
            )
            for mode in context.get("themes") or ()
        )
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or "" removes one).

    Changing anything but the page number starts again at page 1.
    """
    request = context["request"]
    # The parameters kept in their order, then the changed ones (a table header asks for twenty
    # links per page: no copy of the QueryDict each time).
    replaced = changes.keys() if "page" in changes else {*changes, "page"}
    pairs = [(name, value) for name, values in request.GET.lists() if name not in replaced for value in values]
    pairs += [(name, value) for name, value in changes.items() if value not in (None, "")]
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_state(context, key: str, default: str = "-total") -> dict:
    """For a sortable column `key`: the link that sorts by it and the current aria-sort value.

    `default` is the page's order when none is asked for. The first click sorts numbers high to
    low (as readers expect of a ranking), names A to Z.
    """
    request = context["request"]
    current = request.GET.get("ordering") or default
    ascending_first = key in ("name", "organisation", "type", "performance_class", "country")
    if current == key:
        state, next_key = "ascending", f"-{key}"
    elif current == f"-{key}":
        state, next_key = "descending", key
    else:
        state, next_key = "none", key if ascending_first else f"-{key}"
    return {"aria": state, "link": query_with(context, ordering=next_key)}


@register.simple_tag(takes_context=True)
def registry_column_heads(context, entries, kind: str) -> str:
    """The sortable head cells of the index table for `entries`, the registry's categories
    (`kind` "category") or dimensions ("dimension", with each one's description as a title),
    each linked and marked as `sort_state` says for the key `<kind>_<ref>`. Made here rather than
    by a template loop of a `with` and a `sort_state` per column: the table has twenty of them
    on every page of the index that misses the page cache."""
    if kind == "category":
        template, described = '<th scope="col" aria-sort="{}"><a href="{}">{}</a></th>', False
    else:
        template, described = (
            (
                '<th scope="col" aria-sort="{}" class="dimension-cell">'
                '<a href="{}" class="dimension-head" title="{}">{}</a></th>'
            ),
            True,
        )
    cells = []
    for entry in entries:
        state = sort_state(context, f"{kind}_{entry.ref}")
        values = (entry.description, entry.name) if described else (entry.name,)
        cells.append(format_html(template, state["aria"], state["link"], *values))
    return mark_safe("".join(cells))  # noqa: S308 - every cell made by format_html


@register.filter
def percent(score) -> str:
    return "" if score is None else f"{as_percent(score)}%"


@register.filter
def type_labels(types: str) -> str:
    """ "text,code" -> "Text, Code", with labels from the vocabulary."""
    labels = dict(vocab.ModelType.choices)
    return ", ".join(str(labels.get(t, t)) for t in (types or "").split(",") if t)


@register.filter
def index(sequence, position):
    """sequence[position] in a template (None when out of range)."""
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return None


# Form widgets render one template per option, which made the filter panel (250 countries,
# a dozen grade filters) the slowest part of the index page. These render the same markup
# directly; labels and values are escaped by format_html.


def _selected_values(bound_field) -> set[str]:
    value = bound_field.value()
    if value in (None, ""):
        return set()
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return {str(value)}


def _checked(value, chosen: set[str]):
    return mark_safe(" checked") if str(value) in chosen else ""


# Choice lists rendered lately, kept per process: the same field, choices and ticks give the same
# markup, and most pages of the index tick nothing, so a page that misses the page cache renders
# its filter panel (a dozen grade filters of four grades each, the ordering's fifty options)
# without escaping a thousand labels again. Keyed by the id of the choices list (the index's
# FilterSet shares one list per field between requests, curation.filters), which the entry also
# holds and is checked against, so a recycled id never matches; and by the language, as labels
# may be translated. Bounded: least recent out first.
_RENDERED_CHOICES_MAX = 256
_rendered_choices: OrderedDict[tuple, tuple[object, str]] = OrderedDict()
_rendered_choices_lock = threading.Lock()


def _remembered_choices(source, key: tuple, render) -> str:
    """`render()` for the choices `source` and `key` (what else the markup depends on), from the
    memo above when rendered lately."""
    full_key = (id(source), get_language(), *key)
    with _rendered_choices_lock:
        known = _rendered_choices.get(full_key)
        if known is not None and known[0] is source:
            _rendered_choices.move_to_end(full_key)
            return known[1]
    rendered = render()
    with _rendered_choices_lock:
        _rendered_choices[full_key] = (source, rendered)
        _rendered_choices.move_to_end(full_key)
        while len(_rendered_choices) > _RENDERED_CHOICES_MAX:
            _rendered_choices.popitem(last=False)
    return rendered


@register.simple_tag
def checkbox_choices(bound_field):
    """A field's choices as labelled checkboxes, keeping the reader's ticks."""
    chosen = _selected_values(bound_field)
    name, base_id, choices = bound_field.html_name, bound_field.auto_id, bound_field.field.choices
    return _remembered_choices(
        choices,
        ("checkbox", name, base_id, frozenset(chosen)),
        lambda: format_html(
            "<div>{}</div>",
            format_html_join(
                "",
                '<div><label for="{}_{}"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> {}</label></div>',
                (
                    (base_id, position, name, value, base_id, position, _checked(value, chosen), label)
                    for position, (value, label) in enumerate(choices)
                ),
            ),
        ),
    )


@register.simple_tag
def grade_filter_fieldsets(fields):
    """The index's grade filters (bound fields, one per dimension) as a labelled <fieldset> of
    checkboxes each (`checkbox_choices`), with the field's errors, each on a line of its own as
    the filter panel lays them out. Made here rather than by a template loop of a dozen
    fieldsets on every page of the index that misses the page cache."""
    return mark_safe(  # noqa: S308 - every fieldset made by format_html
        "".join(
            format_html(
                '\n      <fieldset class="grade-filter inline-choices"><legend>{}</legend>{}{}</fieldset>\n    ',
                field.label,
                str(field.errors) if field.errors else "",
                checkbox_choices(field),
            )
            for field in fields
        )
    )


# Options of long lists (the index's organisations) rendered once per list object: the views keep
# one list per data version (curation.public.views), so a page only marks the chosen value.
_rendered_options: dict[int, tuple[list, list[tuple[str, str]]]] = {}


def _option_parts(options: list, keep: bool = False) -> list[tuple[str, str, str]]:
    """[(value as given, '<option value="…"' , '>label</option>')] for (value, label) pairs."""
    known = _rendered_options.get(id(options))
    if known is not None and known[0] is options:
        return known[1]
    parts = [
        (str(value), f'<option value="{conditional_escape(value)}"', f">{conditional_escape(label)}</option>")
        for value, label in options
    ]
    if keep and len(options) > 50:  # only long lists are worth keeping (and kept lists are few)
        if len(_rendered_options) > 16:
            _rendered_options.clear()
        _rendered_options[id(options)] = (options, parts)
    return parts


@register.simple_tag
def model_names_datalist(choices):
    """The compare form's list of model names ((name, organisation) pairs) as a <datalist>,
    rendered once per list object (the views keep one per data version), as the choice lists
    above."""
    return _remembered_choices(
        choices,
        ("model-names",),
        lambda: format_html(
            '<datalist id="model-names">{}</datalist>',
            mark_safe(  # noqa: S308 - each name and organisation escaped below
                "".join(
                    f'<option value="{conditional_escape(name)}">{conditional_escape(name)}'
                    + (f" ({conditional_escape(organisation)})" if organisation else "")
                    + "</option>"
                    for name, organisation in choices
                )
            ),
        ),
    )


@register.simple_tag
def options_datalist(list_id: str, options):
    """(value, label) pairs as a <datalist> with id `list_id`: suggestions for a text field
    that accepts other values too (e.g. the index's organisation field). Rendered once per
    options object (the index keeps its options per data version, curation.public.filter_options)
    and `list_id`, as the choice lists above."""
    return _remembered_choices(
        options,
        ("datalist", list_id),
        lambda: format_html(
            '<datalist id="{}">{}</datalist>',
            list_id,
            format_html_join("", '<option value="{}">{}</option>', ((value, label) for value, label in options)),
        ),
    )


@register.simple_tag
def select_choices(bound_field, empty_label="Any", options=None):
    """A field's choices (or `options`, (value, label) pairs, e.g. only what the index holds) as
    a <select>, with an empty "any" option first. A chosen value missing from `options` stays
    selectable, so the form never drops the reader's filter in silence."""
    chosen = _selected_values(bound_field)
    source = bound_field.field.choices if options is None else options
    return _remembered_choices(
        source,
        ("select", bound_field.html_name, bound_field.auto_id, str(empty_label), frozenset(chosen)),
        lambda: _select_markup(bound_field, empty_label, options, chosen),
    )


def _select_markup(bound_field, empty_label, options, chosen: set[str]) -> str:
    if options is None:
        parts = _option_parts([(value, label) for value, label in bound_field.field.choices if value not in ("", None)])
    else:
        parts = _option_parts(options, keep=True)
        offered = {value for value, _start, _end in parts}
        parts = parts + _option_parts([(value, value) for value in sorted(chosen - offered)])
    rendered = "".join(f"{start} selected{end}" if value in chosen else f"{start}{end}" for value, start, end in parts)
    return format_html(
        '<select name="{}" id="{}"><option value="">{}</option>{}</select>',
        bound_field.html_name,
        bound_field.auto_id,
        empty_label,
        mark_safe(rendered),  # noqa: S308 - _option_parts escapes values and labels
    )


@register.simple_tag
def grade_cells(row):
    """A table row's grade cells: colour class, symbol, and the grade in words for screen readers.

    Rendered here rather than in a template loop: an index page has hundreds of these cells
    (plain string building with escaping, the model page's address worked out once per row).
    """
    page = reverse("curation:model_detail", args=[row.model.slug]) if row.model.slug and row.cells else ""
    name = conditional_escape(row.model.name)
    return mark_safe("".join(_grade_cell(cell, page, name) for cell in row.cells))  # noqa: S308 - _grade_cell escapes what it writes


EVIDENCE_NOTES_CHARS = 400


def _grade_cell(cell, page: str, model_name: str) -> str:
    """One grade cell; with evidence (links, notes, the approved change's link) a `<details>`
    that opens on demand, without JavaScript, and links to the full evidence on the model page
    (`page`, "" for a model without one)."""
    css, dimension, label = (
        conditional_escape(cell.css),
        conditional_escape(cell.dimension.name),
        conditional_escape(cell.label),
    )
    symbol = conditional_escape(cell.symbol or "·")
    if not cell.has_evidence:
        return (
            f'<td class="grade {css}" title="{dimension}: {label}"><span aria-hidden="true">{symbol}</span>'
            f'<span class="visually-hidden">{label}</span></td>'
        )
    notes = _shortened(cell.notes, EVIDENCE_NOTES_CHARS) if cell.notes else ""
    links = [(http_href(link), _shortened(link, 60)) for link in cell.links]
    if cell.reviewed:
        links.append((http_href(cell.reviewed.link), f"{_shortened(cell.reviewed.link, 60)} (reviewed change)"))
    items = "".join(
        f'<li><a href="{conditional_escape(href)}" rel="external noopener">{conditional_escape(text)}</a></li>'
        if href
        else f"<li>{conditional_escape(text)}</li>"
        for href, text in links
    )
    more = ""
    if page:
        more = f'<p><a href="{conditional_escape(page)}#{conditional_escape(cell.dimension.ref)}">All evidence for {model_name}</a></p>'
    return (
        f'<td class="grade {css}"><details class="evidence"><summary title="{dimension}: {label}"><span aria-hidden="true">{symbol}</span>'
        f'<span class="visually-hidden">{dimension}: {label}, evidence</span></summary>'
        f'<div class="evidence-pop"><strong>{dimension}: {label}</strong>'
        + (f"<p>{conditional_escape(notes)}</p>" if notes else "")
        + (f"<ul>{items}</ul>" if links else "")
        + more
        + "</div></details></td>"
    )


@register.filter
def intcomma_plain(value) -> str:
    """A whole number with thousands separated by commas (`1,234,567`); other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"


@register.simple_tag
def leaderboard_item(entry, dimension_ref: str) -> str:
    """One model of a dimension's leaderboard as an <li>: its name linking to its grade on the
    model page, its organisation, evidence links and notes (shortened). Built as escaped text in
    one go: a leaderboard lists every public model."""
    model = entry.model
    page = reverse("curation:model_detail", args=[model.slug])
    parts = [format_html('<li><a href="{}#{}"><strong>{}</strong></a>', page, dimension_ref, model.name)]
    if model.organisation is not None:
        parts.append(format_html(' <span class="muted">· {}</span>', model.organisation.name))
    if entry.links:
        links = [
            format_html('<a href="{}" rel="external noopener">{}</a>', href, _shortened(link, 70))
            if (href := http_href(link))
            else conditional_escape(_shortened(link, 70))
            for link in entry.links
        ]
        parts.append(mark_safe("<br>Evidence: " + ", ".join(links)))  # noqa: S308 - each link escaped above
    if entry.notes:
        parts.append(format_html('<br><span class="notes">{}</span>', _shortened(entry.notes, 300)))
    parts.append(mark_safe("</li>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html above
