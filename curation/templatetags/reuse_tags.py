"""Copy-paste code for reusing the index elsewhere: iframes of the embed pages, badges, citations."""

from django import template
from django.urls import reverse

from curation.public import citations

register = template.Library()

# Parameters of the index page that mean nothing to the embedded index.
PAGE_ONLY_PARAMETERS = ("page", "per_page", "view", "as_of", "release")


@register.inclusion_tag("curation/public/_embed_snippet.html", takes_context=True)
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
    return reverse("curation:index_embed") + (f"?{encoded}" if encoded else "")


@register.simple_tag
def chart_embed_path(key: str) -> str:
    return reverse("curation:chart_embed", args=[key])


@register.inclusion_tag("curation/public/_cite_this.html", takes_context=True)
def cite_this(context, model=None, release=None, pin=None):
    """The "Cite this" block: the index's citation, or `model`'s, or a data `release`'s, in
    BibTeX, RIS and CSL-JSON, with links to the same as downloads; a model's block also gives
    its badge. A model's page pinned to a past moment (`pin`, curation.public.pinning.Pin)
    cites its pinned permanent address, and gives no badge (a badge shows today's score)."""
    request = context["request"]
    if model is not None and pin is not None and pin.moment is not None:
        path = reverse("curation:model_detail", args=[model.slug]) + f"?{pin.query}"
        citation = citations.model_citation(
            model,
            request.build_absolute_uri(path),
            release=pin.release,
            as_of=None if pin.release is not None else pin.moment,
        )
        downloads = {
            fmt: reverse("curation:model_citation", args=[model.slug, fmt]) + f"?{pin.query}"
            for fmt in citations.FORMATS
        }
        badge = ""
    elif release is not None:
        citation = citations.release_citation(
            release, request.build_absolute_uri(reverse("curation:release_detail", args=[release.slug]))
        )
        downloads = {fmt: reverse("curation:release_citation", args=[release.slug, fmt]) for fmt in citations.FORMATS}
        badge = ""
    elif model is None:
        url = request.build_absolute_uri(reverse("curation:model_index"))
        citation = citations.index_citation(url)
        downloads = {fmt: reverse("curation:index_citation", args=[fmt]) for fmt in citations.FORMATS}
        return {
            "citation": citation,
            "downloads": downloads,
            "model": None,
            "badge": "",
            "release": None,
            "texts": citations.index_citation_texts(url),
        }
    else:
        citation = citations.model_citation(
            model, request.build_absolute_uri(reverse("curation:model_detail", args=[model.slug]))
        )
        downloads = {fmt: reverse("curation:model_citation", args=[model.slug, fmt]) for fmt in citations.FORMATS}
        badge = request.build_absolute_uri(reverse("curation:model_badge", args=[model.slug]))
    return {
        "citation": citation,
        "downloads": downloads,
        "model": model,
        "badge": badge,
        "release": release,
        "texts": {fmt: citations.render(citation, fmt) for fmt in citations.FORMATS},
    }


@register.simple_tag
def dataset_doi() -> str:
    """The dataset's DOI from the settings ("" when none is set)."""
    return citations.dataset_doi()
