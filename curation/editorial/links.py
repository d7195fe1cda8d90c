"""Internal links of imported pages: each one resolves on this site, directly or as an address
of the upstream site (osai-index.eu), or it is reported with its file and line.

`resolve` knows the upstream site's addresses (`/database?type=image`, `/the-index`,
`/model/<file>`, `/compare?models=a,b`, `/news/<slug>`, fixed pages, `/images/<name>`) and says
where each leads here; the importer writes that address instead, so links work without a
redirect. A model withdrawn from the index (its upstream file deleted) still resolves: its page
and comparisons answer with a notice. Query names of `/database` go through the one table of upstream names
(curation.upstream_query). Links to other sites are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.http import QueryDict
from django.urls import Resolver404, resolve as resolve_path, reverse

from curation import upstream_query, vocab
from curation.models import HOME_PAGE_SLUG, AIModel, Image, Organisation, Post, PostKind, PostStatus

UPSTREAM_HOSTS = frozenset({"osai-index.eu", "www.osai-index.eu", "preview.osai-index.eu"})
_ARTICLE_FOLDERS = {"news": PostKind.NEWS, "guides": PostKind.GUIDE}
# Names of each kind's list and article addresses (curation.editorial.urls).
_ARTICLE_URL_NAMES = {
    PostKind.NEWS: ("curation:news-list", "curation:news-detail"),
    PostKind.GUIDE: ("curation:guide-list", "curation:guide-detail"),
}


@dataclass
class SiteMap:
    """What readers will find once the import is written: its pages and pictures (planned), the
    site's others, and the public models. Lookups of models are remembered."""

    statuses: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, slug) -> status
    images: dict[str, str] = field(default_factory=dict)  # lower-case name -> name
    _models: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of_site(cls, planned_posts: dict[tuple[str, str], str], planned_images: set[str]) -> SiteMap:
        statuses = {(kind, slug): status for kind, slug, status in Post.objects.values_list("kind", "slug", "status")}
        statuses.update(planned_posts)
        images = {name.lower(): name for name in Image.objects.values_list("name", flat=True)}
        images.update({name.lower(): name for name in planned_images})
        return cls(statuses, images)

    def model_slug(self, term: str) -> str | None:
        """The slug of the model an upstream-style name picks: a public model, else one withdrawn
        from the index (its page keeps answering, with a notice); None when readers can open none."""
        if term not in self._models:
            found = (
                upstream_query.models_named([term], AIModel.objects.readable())
                .order_by("-is_public", "pk")
                .values_list("slug", flat=True)
                .first()
            )
            self._models[term] = found
        return self._models[term]

    def missing_models(self, terms: list[str]) -> str:
        """Why these upstream model names lead nowhere: unknown to the index, or drafts."""
        drafts = [t for t in terms if upstream_query.models_named([t], AIModel.objects.all()).exists()]
        unknown = [t for t in terms if t not in drafts]
        reasons = []
        if unknown:
            reasons.append(f"no public model is called {', '.join(map(repr, unknown))} (by file name, slug or name)")
        if drafts:
            reasons.append(
                f"{', '.join(map(repr, drafts))} {'is a draft' if len(drafts) == 1 else 'are drafts'}, so readers cannot open {'it' if len(drafts) == 1 else 'them'}"
            )
        return "; ".join(reasons)

    def is_public(self, kind: str, slug: str) -> bool:
        return self.statuses.get((kind, slug)) == PostStatus.PUBLISHED


@dataclass(frozen=True)
class Resolution:
    """Where an internal link leads: `target` (the address to write) or `broken` (why not);
    `repaired` says which mistake of the original was put right."""

    target: str = ""
    broken: str = ""
    repaired: str = ""


def is_internal(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https"):
        return (parts.hostname or "").lower() in UPSTREAM_HOSTS
    return not parts.scheme and not parts.netloc and url.strip().startswith("/")


def resolve(url: str, site: SiteMap) -> Resolution | None:
    """Where `url` leads on this site; None when it is not an internal link (another site, an
    e-mail address, an anchor on the same page)."""
    if not is_internal(url):
        return None
    parts = urlsplit(url.strip())
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    segments = [s for s in parts.path.split("/") if s]
    repaired = ""
    if len(segments) == 1 and segments[0].startswith("database=") and segments[0][9:].lower() in vocab.ModelType.values:
        # `/database=text` on the upstream home page means `/database?type=text`.
        repaired = f"{url} read as /database?type={segments[0][9:]}"
        segments, query = ["database"], f"type={segments[0][9:]}"
    else:
        query = parts.query
    outcome = _resolve_path(segments, query, site)
    if outcome.broken:
        return outcome
    return Resolution(target=outcome.target + fragment, repaired=repaired)


def _resolve_path(segments: list[str], query: str, site: SiteMap) -> Resolution:
    if not segments:
        return Resolution(target=reverse("curation:home"))
    head = segments[0]
    if head in ("database", "the-index") and len(segments) == 1:
        return _index_address(query, site)
    if head == "model" and len(segments) == 2:
        slug = site.model_slug(segments[1])
        if slug is None:
            return Resolution(broken=site.missing_models([segments[1]]))
        return Resolution(target=reverse("curation:model_detail", args=[slug]))
    if head == "compare" and len(segments) == 1:
        return _compare_address(query, site)
    if head in _ARTICLE_FOLDERS and len(segments) <= 2:
        kind = _ARTICLE_FOLDERS[head]
        list_name, detail_name = _ARTICLE_URL_NAMES[kind]
        if len(segments) == 1:
            return Resolution(target=reverse(list_name))
        return _post_address(kind, segments[1], site, reverse(detail_name, args=[segments[1]]))
    if head == "images" and len(segments) == 2:
        if segments[1].lower() in site.images:
            return Resolution(target=reverse("curation:image", args=[site.images[segments[1].lower()]]))
        return Resolution(broken=f"no picture {segments[1]!r} in the image library or the import's images/ folder")
    if len(segments) == 1 and (PostKind.PAGE, head) in site.statuses:
        target = reverse("curation:home") if head == HOME_PAGE_SLUG else reverse("curation:page", args=[head])
        return _post_address(PostKind.PAGE, head, site, target + (f"?{query}" if query else ""))
    # Addresses in imported content are relative to the site's root, which is the app's root here.
    return _site_address(reverse("curation:home") + "/".join(segments) + "/", query, site)


def _index_address(query: str, site: SiteMap) -> Resolution:
    if not query:
        if site.is_public(PostKind.PAGE, "database"):
            return Resolution(target=reverse("curation:page", args=["database"]))
        return Resolution(target=reverse("curation:model_index"))
    translated = upstream_query.translate(QueryDict(query))
    if not translated.ok:
        return Resolution(broken="; ".join(translated.messages()))
    slugs = [site.model_slug(t) for t in translated.model_terms]
    missing = [t for t, slug in zip(translated.model_terms, slugs, strict=True) if slug is None]
    if missing:
        return Resolution(broken=site.missing_models(missing))
    params = translated.query_dict()
    if translated.model_terms:
        # The index page has no list of models; a comparison shows exactly those.
        return Resolution(
            target=reverse("curation:compare") + "?" + urlencode({"models": ",".join(s for s in slugs if s)}, safe=",")
        )
    encoded = params.urlencode()
    return Resolution(target=reverse("curation:model_index") + (f"?{encoded}" if encoded else ""))


def _compare_address(query: str, site: SiteMap) -> Resolution:
    terms = [t.strip() for value in QueryDict(query).getlist("models") for t in value.split(",") if t.strip()]
    if not terms:
        return Resolution(target=reverse("curation:compare"))
    slugs = [site.model_slug(t) for t in terms]
    missing = [t for t, slug in zip(terms, slugs, strict=True) if slug is None]
    if missing:
        return Resolution(broken=site.missing_models(missing))
    return Resolution(
        target=reverse("curation:compare") + "?" + urlencode({"models": ",".join(s for s in slugs if s)}, safe=",")
    )


def _post_address(kind: str, slug: str, site: SiteMap, target: str) -> Resolution:
    status = site.statuses.get((kind, slug))
    label = PostKind(kind).label.lower()
    if status is None:
        return Resolution(broken=f"no {label} {slug!r} on this site")
    if status != PostStatus.PUBLISHED:
        return Resolution(
            broken=f"the {label} {slug!r} is {PostStatus(status).label.lower()}, so readers cannot open it"
        )
    return Resolution(target=target)


def _site_address(path: str, query: str, site: SiteMap) -> Resolution:
    """Any other address of this site (e.g. /models/olmo/, /charts/): it must resolve, and a
    model, organisation or article it names must exist."""
    try:
        match = resolve_path(path)
    except Resolver404:
        try:
            match = resolve_path(path.rstrip("/"))
            path = path.rstrip("/")
        except Resolver404:
            return Resolution(broken="no page of this site has this address")
    name = match.view_name
    slug = match.kwargs.get("slug", "")
    if name == "curation:model_detail" and not AIModel.objects.readable().filter(slug=slug).exists():
        return Resolution(broken=f"no public model {slug!r}")
    if name == "curation:organisation_detail" and not Organisation.objects.public().filter(slug=slug).exists():
        return Resolution(broken=f"no public organisation {slug!r}")
    if name in ("curation:news-detail", "curation:guide-detail", "curation:page"):
        kind = match.kwargs.get("kind", PostKind.PAGE)
        return _post_address(kind, slug, site, path + (f"?{query}" if query else ""))
    return Resolution(target=path + (f"?{query}" if query else ""))


# --- finding links in Markdown ----------------------------------------------------------------
# [text](destination "title") and ![alt](...): destination and optional title.
_INLINE_LINK = re.compile(
    r"""(!?)\[((?:[^\[\]\\]|\\.)*)\]\(\s*(<[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)(\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"""
)
# The same with a title whose closing quote is missing: `(/x "Title)`.
_UNCLOSED_TITLE = re.compile(r"""(!?\[(?:[^\[\]\\]|\\.)*\]\(\s*[^\s()]+\s+")([^"\n)]*)\)""")
_REFERENCE = re.compile(r"""^( {0,3}\[[^\]]+\]:\s*)(<[^>\n]*>|\S+)(.*)$""")
_HTML_URL = re.compile(r"""(\b(?:href|src)\s*=\s*)("([^"]*)"|'([^']*)')""", re.I)
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


@dataclass(frozen=True)
class FoundLink:
    url: str
    image: bool
    text: str
    title: str


def rewrite_links(line: str, rewrite) -> str:
    """`line` with each link's address replaced by `rewrite(FoundLink)` (which returns the address to
    write). A link whose title lacks its closing quote gets it first (`rewrite` is told through
    FoundLink.title ending in '"')."""
    line = _UNCLOSED_TITLE.sub(lambda m: m.group(1) + m.group(2) + '")' if _unclosed(m) else m.group(0), line)

    def inline(match: re.Match) -> str:
        destination = match.group(3)
        bare = destination[1:-1] if destination.startswith("<") else destination
        title = (match.group(4) or "").strip()
        new = rewrite(FoundLink(bare, match.group(1) == "!", match.group(2), title))
        if new == bare:
            return match.group(0)
        return f"{match.group(1)}[{match.group(2)}]({new}{match.group(4) or ''})"

    line = _INLINE_LINK.sub(inline, line)
    reference = _REFERENCE.match(line)
    if reference:
        bare = reference.group(2).strip("<>")
        new = rewrite(FoundLink(bare, False, "", reference.group(3).strip()))
        if new != bare:
            line = reference.group(1) + new + reference.group(3)
    line = _HTML_URL.sub(
        lambda m: (
            m.group(1)
            + '"'
            + rewrite(
                FoundLink(m.group(3) if m.group(3) is not None else m.group(4), "src" in m.group(1).lower(), "", "")
            )
            + '"'
        ),
        line,
    )

    def autolink(match: re.Match) -> str:
        new = rewrite(FoundLink(match.group(1), False, match.group(1), ""))
        # An address of this site is relative, which an autolink cannot be: it becomes a link.
        return match.group(0) if new == match.group(1) else f"[{match.group(1)}]({new})"

    return _AUTOLINK.sub(autolink, line)


def _unclosed(match: re.Match) -> bool:
    # Only when what follows the quote runs to the closing parenthesis with no quote at all.
    return '"' not in match.group(2)


def unclosed_titles(line: str) -> list[str]:
    """Links of `line` whose title lacks its closing quote (they would show as text)."""
    return [m.group(0) for m in _UNCLOSED_TITLE.finditer(line) if _unclosed(m)]
