"""Template helpers of the public pages: links that keep the reader's filters, score display."""
from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.urls import reverse

from curation import vocab
from curation.scoring import as_percent
from curation.weblinks import is_http_url

register = template.Library()


@register.filter
def http_href(value) -> str:
    """A stored link fit for href: the URL when it is http(s) (curation.weblinks), else "".

    Values are checked when written; this keeps any older value from becoming a clickable
    script (a `javascript:` link) on a reader's page."""
    return value if is_http_url(value) else ""


@register.simple_tag(takes_context=True)
def absolute_uri(context, path: str) -> str:
    """`path` as a full address on this site (link previews need one); as given without a request."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None and path else path


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or "" removes one).

    Changing anything but the page number starts again at page 1.
    """
    request = context["request"]
    params = request.GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = value
    encoded = urlencode([(k, v) for k in params for v in params.getlist(k)])
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


@register.filter
def percent(score) -> str:
    return "" if score is None else f"{as_percent(score)}%"


@register.filter
def type_labels(types: str) -> str:
    """"text,code" -> "Text, Code", with labels from the vocabulary."""
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


@register.simple_tag
def checkbox_choices(bound_field):
    """A field's choices as labelled checkboxes, keeping the reader's ticks."""
    chosen = _selected_values(bound_field)
    name, base_id = bound_field.html_name, bound_field.auto_id
    return format_html(
        "<div>{}</div>",
        format_html_join(
            "", '<div><label for="{}_{}"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> {}</label></div>',
            (
                (base_id, position, name, value, base_id, position, _checked(value, chosen), label)
                for position, (value, label) in enumerate(bound_field.field.choices)
            ),
        ),
    )


@register.simple_tag
def select_choices(bound_field, empty_label="Any", options=None):
    """A field's choices (or `options`, (value, label) pairs, e.g. only what the index holds) as
    a <select>, with an empty "any" option first. A chosen value missing from `options` stays
    selectable, so the form never drops the reader's filter in silence."""
    chosen = _selected_values(bound_field)
    if options is None:
        options = [(value, label) for value, label in bound_field.field.choices if value not in ("", None)]
    else:
        options = list(options)
        offered = {str(value) for value, _ in options}
        options += [(value, value) for value in sorted(chosen - offered)]
    return format_html(
        '<select name="{}" id="{}"><option value="">{}</option>{}</select>',
        bound_field.html_name, bound_field.auto_id, empty_label,
        format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((value, mark_safe(" selected") if str(value) in chosen else "", label) for value, label in options),
        ),
    )


@register.simple_tag
def grade_cells(row):
    """A table row's grade cells: colour class, symbol, and the grade in words for screen readers.

    Rendered here rather than in a template loop: an index page has hundreds of these cells.
    """
    return mark_safe("".join(_grade_cell(row, cell) for cell in row.cells))


EVIDENCE_NOTES_CHARS = 400


def _grade_cell(row, cell) -> str:
    """One grade cell; with evidence (links, notes, the approved change's link) a `<details>`
    that opens on demand, without JavaScript, and links to the full evidence on the model page."""
    if not cell.has_evidence:
        return format_html(
            '<td class="grade {}" title="{}: {}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></td>',
            cell.css, cell.dimension.name, cell.label, cell.symbol or "·", cell.label,
        )
    notes = Truncator(cell.notes).chars(EVIDENCE_NOTES_CHARS) if cell.notes else ""
    links = [(http_href(link), Truncator(link).chars(60)) for link in cell.links]
    if cell.reviewed:
        links.append((http_href(cell.reviewed.link), f"{Truncator(cell.reviewed.link).chars(60)} (reviewed change)"))
    items = format_html_join(
        "", "<li>{}</li>",
        ((format_html('<a href="{}" rel="external noopener">{}</a>', href, text) if href else text,) for href, text in links),
    )
    more = ""
    if row.model.slug:
        more = format_html('<a href="{}#{}">All evidence for {}</a>', reverse("public:model_detail", args=[row.model.slug]),
                           cell.dimension.ref, row.model.name)
    return format_html(
        '<td class="grade {}"><details class="evidence"><summary title="{}: {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}: {}, evidence</span></summary>'
        '<div class="evidence-pop"><strong>{}: {}</strong>{}{}{}</div></details></td>',
        cell.css, cell.dimension.name, cell.label, cell.symbol or "·", cell.dimension.name, cell.label,
        cell.dimension.name, cell.label,
        format_html("<p>{}</p>", notes) if notes else "",
        format_html("<ul>{}</ul>", items) if links else "",
        format_html("<p>{}</p>", more) if more else "",
    )


@register.filter
def intcomma_plain(value) -> str:
    """A whole number with thousands separated by commas (`1,234,567`); other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"
