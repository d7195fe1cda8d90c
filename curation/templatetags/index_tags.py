"""Template helpers of the public pages: links that keep the reader's filters, score display."""
from __future__ import annotations

from django import template
from django.utils.http import urlencode

from curation import vocab
from curation.scoring import as_percent

register = template.Library()


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
def sort_state(context, key: str) -> dict:
    """For a sortable column `key`: the link that sorts by it and the current aria-sort value.

    The first click sorts scores high to low (as readers expect of a ranking), names A to Z.
    """
    request = context["request"]
    current = request.GET.get("ordering") or "-total"
    ascending_first = key in ("name", "organisation", "type", "performance_class")
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
