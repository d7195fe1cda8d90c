"""Importing the upstream website's news and guides (the site-pages format).

A site-pages tree has `news/` and `guides/` folders of Markdown files with YAML front matter
(title, description, author, date, status). Their bodies use the upstream site's components,
which become our embeds:

  `<author :author="author"></author>` / `<date :date="date"></date>`  ->  `{% byline %}`
  `::the-index` blocks with `filters: {view: grid, models: ...}`        ->  `{% index ... %}`
  `![..](/images/academic_pie.png ..)` and the other chart images        ->  `{% chart "..." %}`

Other images are kept as they are. Drafts (and upstream's `unpublished`) stay drafts.
Re-importing updates posts by kind and slug and keeps their revisions. A bad file is reported
with its name and reason and skipped; with `strict=True` nothing is written if any file is bad.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from curation.datachanges import record_data_change
from curation.editorial import services
from curation.editorial.errors import EditorialError
from curation.models import Post, PostKind, PostStatus, PostStatusChange

FOLDER_KINDS = {"news": PostKind.NEWS, "guides": PostKind.GUIDE}
# Upstream status -> ours. `unpublished` is upstream's word for a withdrawn or unfinished post.
STATUS_MAP = {"published": PostStatus.PUBLISHED, "draft": PostStatus.DRAFT, "unpublished": PostStatus.DRAFT}
# Upstream chart images (computed from the index database) -> our live chart keys.
CHART_IMAGES = {
    "academic_pie": "academic-share",
    "academic_pie_latest": "academic-share-latest",
    "big_tech_pie": "big-tech-share",
    "big_tech_pie_latest": "big-tech-share-latest",
    "national_origins_pie": "national-origins",
    "national_origins_pie_latest": "national-origins-latest",
    "regions_pie": "regions",
    "regions_pie_latest": "regions-latest",
}

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_BYLINE_COMPONENT = re.compile(r"^[ \t]*<(author|date)\s+:\1=\"\1\"\s*>\s*</\1>[ \t]*$", re.M)
_BYLINE_RUN = re.compile(r"(?:^[ \t]*\{% byline %\}[ \t]*\n?)+", re.M)
_INDEX_BLOCK = re.compile(r"^::the-index[ \t]*\r?\n---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n::[ \t]*$", re.S | re.M)
_CHART_IMAGE = re.compile(r"^[ \t]*!\[[^\]]*\]\(/images/([\w-]+)\.png(?:\s+\"[^\"]*\")?\)[ \t]*$", re.M)
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")


class PageError(ValueError):
    """A file that cannot be imported; the message says why."""


@dataclass
class ParsedPage:
    kind: str
    slug: str
    title: str
    description: str
    author_names: str
    date: datetime.date
    status: str
    body: str


@dataclass
class PagesImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    published: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise PageError(f"date {text!r} is not a date (expected YYYY-MM-DD or DD-MM-YYYY)")


def _quote(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _index_directive(match: re.Match) -> str:
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise PageError(f"::the-index block is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PageError("::the-index block front matter is not a mapping")
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        raise PageError("::the-index block: `filters` is not a mapping")
    parts = []
    for key, value in filters.items():
        if not re.fullmatch(r"[A-Za-z_][\w-]*", str(key)):
            raise PageError(f"::the-index block: filter name {key!r} is not a plain name")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}={_quote(value)}")
    return "{% index " + " ".join(parts) + " %}" if parts else "{% index %}"


def convert_body(body: str) -> str:
    """Turn upstream components into our embeds."""
    body = body.replace("\r\n", "\n")
    body = _BYLINE_COMPONENT.sub("{% byline %}", body)
    body = _BYLINE_RUN.sub("{% byline %}\n", body)  # author + date lines make one byline
    body = _INDEX_BLOCK.sub(_index_directive, body)

    def chart(match: re.Match) -> str:
        key = CHART_IMAGES.get(match.group(1))
        return f'{{% chart "{key}" %}}' if key else match.group(0)

    return _CHART_IMAGE.sub(chart, body)


def _strip_title_heading(body: str, title: str) -> str:
    """Upstream bodies repeat the title as a first `# ` heading; our page prints the title."""
    lines = body.lstrip("\n").split("\n", 1)
    if lines and lines[0].startswith("# ") and slugify(lines[0][2:]) == slugify(title):
        return lines[1] if len(lines) > 1 else ""
    return body


def parse_page(path: Path, kind: str) -> ParsedPage:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(f"not UTF-8 text ({exc})") from exc
    match = _FRONT_MATTER.match(text)
    if not match:
        raise PageError("no front matter (a --- block with title, date, status) at the top")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise PageError(f"front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise PageError("front matter is not a mapping of names to values")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise PageError("front matter has no title")
    status_text = str(meta.get("status") or "draft").strip().lower()
    if status_text not in STATUS_MAP:
        raise PageError(f"status {status_text!r} is not one of {', '.join(STATUS_MAP)}")
    if meta.get("date") in (None, ""):
        raise PageError("front matter has no date")
    slug = slugify(path.stem)[:200]
    if not slug:
        raise PageError("the file name gives no web address (use letters or digits, e.g. my-post.md)")
    body = _strip_title_heading(text[match.end():], title)
    return ParsedPage(
        kind=kind, slug=slug, title=title[:250],
        description=str(meta.get("description") or "").strip()[:500],
        author_names=str(meta.get("author") or "").strip()[:300],
        date=_parse_date(meta["date"]), status=STATUS_MAP[status_text],
        body=convert_body(body).strip() + "\n",
    )


def page_files(root: Path) -> list[tuple[Path, str]]:
    root = Path(root)
    if not root.is_dir():
        raise PageError(f"{root} is not a folder")
    found = []
    for folder, kind in FOLDER_KINDS.items():
        if (root / folder).is_dir():
            found += [(p, kind) for p in sorted((root / folder).glob("*.md"))]
    if not found:
        raise PageError(f"{root} has no news/*.md or guides/*.md files")
    return found


def _store(page: ParsedPage, source: str, report: PagesImportReport, user) -> bool:
    """Create or update one post; True if readers' view changed."""
    post = Post.objects.filter(kind=page.kind, slug=page.slug).first()
    label = f"{page.kind}/{page.slug}"
    fields = dict(title=page.title, description=page.description, author_names=page.author_names,
                  date=page.date, body=page.body)
    if post is not None and all(getattr(post, k) == v for k, v in fields.items()) and post.status == page.status:
        report.unchanged.append(label)
        return False
    created = post is None
    post = post or Post(kind=page.kind, slug=page.slug)
    was_visible = post.status == PostStatus.PUBLISHED
    for name, value in fields.items():
        setattr(post, name, value)
    post.source_path = source[:300]
    services._save_post(post, user=user, comment=f"Imported from {source}", check_embeds=False)
    if post.status != page.status:
        # The upstream file is the authority on its status; the step is logged like any other.
        before = post.status
        post.status = page.status
        post.published_at = timezone.now() if page.status == PostStatus.PUBLISHED else post.published_at
        post.publish_at = None
        post.save(update_fields=["status", "published_at", "publish_at", "updated_at"])
        PostStatusChange.objects.create(
            post=post, from_status=before if not created else "", to_status=page.status,
            user=user if getattr(user, "pk", None) else None, comment=f"Imported from {source}",
        )
    (report.created if created else report.updated).append(label)
    return was_visible or post.status == PostStatus.PUBLISHED


def import_pages(path, *, strict: bool = False, user=None, progress=None) -> PagesImportReport:
    """Import a site-pages tree (see module docstring). Returns what happened per file."""
    report = PagesImportReport()
    root = Path(path)
    files = page_files(root)
    parsed: list[tuple[Path, ParsedPage]] = []
    for file, kind in files:
        try:
            parsed.append((file, parse_page(file, kind)))
        except PageError as exc:
            report.skipped.append((str(file.relative_to(root)), str(exc)))
    if strict and report.skipped:
        return report  # nothing written
    visible_changed = False
    with transaction.atomic():
        for file, page in (progress(parsed) if progress else parsed):
            source = str(file.relative_to(root))
            try:
                with transaction.atomic():
                    visible_changed |= _store(page, source, report, user)
            except EditorialError as exc:
                report.skipped.append((source, str(exc)))
                if strict:
                    transaction.set_rollback(True)
                    for written in (report.created, report.updated, report.unchanged, report.published, report.drafts):
                        written.clear()  # rolled back: nothing of it was imported
                    return report
                continue
            (report.published if page.status == PostStatus.PUBLISHED else report.drafts).append(f"{page.kind}/{page.slug}")
        if visible_changed:
            record_data_change("news and guides imported")
    return report
