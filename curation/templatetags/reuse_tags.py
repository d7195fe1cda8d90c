"""Copy-paste code for reusing the index elsewhere: iframes of the embed pages, badges."""
from django import template
from django.urls import reverse

register = template.Library()

# Parameters of the index page that mean nothing to the embedded index.
PAGE_ONLY_PARAMETERS = ("page", "per_page", "view", "as_of")


@register.inclusion_tag("public/_embed_snippet.html", takes_context=True)
def embed_snippet(context, what: str, path: str, title: str, height: int = 600):
    """An <iframe> code block for `path` on this site (absolute address), titled `title`."""
    return {"what": what, "url": context["request"].build_absolute_uri(path), "title": title, "height": height}


@register.simple_tag(takes_context=True)
def index_embed_path(context) -> str:
    """The embedded index's address with the current page's filters and order."""
    query = context["request"].GET.copy()
    for name in PAGE_ONLY_PARAMETERS:
        query.pop(name, None)
    encoded = query.urlencode()
    return reverse("public:index_embed") + (f"?{encoded}" if encoded else "")


@register.simple_tag
def chart_embed_path(key: str) -> str:
    return reverse("public:chart_embed", args=[key])
