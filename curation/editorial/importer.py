"""Importing the upstream website's content (the site-pages format of the repository
`European-open-AI-index`): every article, the fixed pages, the pictures, the menu, the footer
and the page title templates.

    news/*.md, guides/*.md   articles: front matter (title, description, author, date, status)
    pages/*.md               fixed pages at /<name>/ (about, contribute, database, ...); index.md
                             is the home page; front matter is optional, status defaults to published
    images/*                 pictures the pages show: they enter the image library
    menu.yml                 the main menu            footer.md   the footer
    SEO.yml                  title and description templates of model and comparison pages
    partners.yml, as-seen-in.yml (optional)  logos shown by the :partners and :as-seen-in blocks

Bodies are converted as they are read:
- the upstream components become embeds (curation.editorial.components), through the one table
  of upstream query names for `::the-index`; an unknown component is reported and left as written;
- pictures alone on a line become `{% image "name" %}` embeds of the library, and the chart images
  the index regenerates itself (academic_pie.png, ...) become live `{% chart %}` embeds;
- every internal link is checked (curation.editorial.links) and written as this site's address;
  a link that leads nowhere is reported with its file and line.

Re-importing updates by kind and slug and keeps revisions; an unchanged file changes nothing.
Upstream is the authority on a post's status (its `draft`/`published`). A bad file is reported
with its name and reason and the others import; with `strict=True` nothing is written if any
file is bad. Editors' own text in the image library (alt text, captions) is never overwritten.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from curation.datachanges import record_data_change
from curation.editorial import components, images, links, services, site
from curation.editorial.embeds import check_link
from curation.editorial.errors import EditorialError
from curation.editorial.rendering import render_markdown
from curation.interchange import safe_input
from curation.interchange.safe_input import FolderEntry, InputLimits, InputProblem
from curation.models import HOME_PAGE_SLUG, Image, MenuItem, Post, PostKind, PostStatus, PostStatusChange, SiteLogo

FOLDER_KINDS = {"news": PostKind.NEWS, "guides": PostKind.GUIDE, "pages": PostKind.PAGE}
IMAGES_FOLDER = "images"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MENU_FILE, FOOTER_FILE, SEO_FILE = "menu.yml", "footer.md", "SEO.yml"
LOGO_FILES = {"partners.yml": SiteLogo.Group.PARTNERS, "as-seen-in.yml": SiteLogo.Group.AS_SEEN_IN}
SITE_FILES = (MENU_FILE, FOOTER_FILE, SEO_FILE, *LOGO_FILES)
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
# Page title templates of SEO.yml: upstream page kind -> (title field, description field, placeholders).
SEO_KINDS = {
    "models": ("model_title", "model_description", site.MODEL_PLACEHOLDERS),
    "compare": ("compare_title", "compare_description", site.COMPARE_PLACEHOLDERS),
}

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_PICTURE_ALONE = re.compile(
    r"""^[ \t]*!\[((?:[^\[\]\\]|\\.)*)\]\(\s*/images/([^\s)"]+)(?:\s+"([^"\n]*)")?\s*\)[ \t]*$"""
)
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")
# Markdown and YAML files: the safe reader's limits (1 MB, YAML nesting and aliases bounded).
TEXT_LIMITS = safe_input.DEFAULT_LIMITS
PICTURE_LIMITS = InputLimits(max_file_bytes=images.MAX_FILE_BYTES)


class PageError(ValueError):
    """A file (or folder) that cannot be imported; the message says why."""


@dataclass(frozen=True)
class Issue:
    """Something an editor should look at: in which file, on which line (if known), and what."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}{f', line {self.line}' if self.line else ''}: {self.message}"


@dataclass
class ParsedPage:
    kind: str
    slug: str
    title: str
    description: str
    author_names: str
    date: datetime.date | None
    status: str
    body: str
    file: str = ""
    first_line: int = 1


@dataclass
class PictureFile:
    name: str
    file: str
    data: bytes


@dataclass
class SiteContent:
    """The site-wide files as read: None where the folder has no such file."""

    menu: list[tuple[str, str, str]] | None = None  # (label, link, icon)
    footer: str | None = None
    seo: dict[str, str] | None = None
    logos: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # group -> (title, link, image)


@dataclass
class PagesImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    published: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    images_created: list[str] = field(default_factory=list)
    images_updated: list[str] = field(default_factory=list)
    images_unchanged: list[str] = field(default_factory=list)
    site_changes: list[str] = field(default_factory=list)
    components: Counter = field(default_factory=Counter)
    unknown_components: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    links_checked: int = 0
    links_rewritten: int = 0
    repaired_links: list[Issue] = field(default_factory=list)
    broken_links: list[Issue] = field(default_factory=list)
    # Links of drafts that lead nowhere readers can go (yet): to fix before publishing.
    draft_links: list[Issue] = field(default_factory=list)
    missing_images: list[Issue] = field(default_factory=list)
    picture_embeds: int = 0
    charts_replaced: int = 0
    embed_problems: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped

    def figures(self) -> dict[str, int]:
        """The report's numbers, for the command's summary and for monitoring."""
        return {
            "files_skipped": len(self.skipped),
            "posts_created": len(self.created),
            "posts_updated": len(self.updated),
            "posts_unchanged": len(self.unchanged),
            "published": len(self.published),
            "drafts": len(self.drafts),
            "images_created": len(self.images_created),
            "images_updated": len(self.images_updated),
            "images_unchanged": len(self.images_unchanged),
            "components": sum(self.components.values()),
            "unknown_components": len(self.unknown_components),
            "links_checked": self.links_checked,
            "links_rewritten": self.links_rewritten,
            "links_repaired": len(self.repaired_links),
            "broken_links": len(self.broken_links),
            "draft_links": len(self.draft_links),
            "picture_embeds": self.picture_embeds,
            "charts_replaced": self.charts_replaced,
            "missing_images": len(self.missing_images),
            "embed_problems": len(self.embed_problems),
            "warnings": len(self.warnings),
        }


# --- reading files ----------------------------------------------------------------------------
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


def _load_yaml(text: str, name: str, first_line: int = 1):
    """YAML text of file `name` (starting on line `first_line` of it) as Python values, through
    the safe reader: alias bombs, deep nesting and unsafe tags are refused with their line."""
    try:
        return safe_input.load(text, name, TEXT_LIMITS)
    except InputProblem as exc:
        line = exc.line + first_line - 1 if exc.line else None
        # Lines inside the reason count from the start of the YAML text too.
        reason = re.sub(r"(on line )(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + first_line - 1}", exc.reason)
        raise PageError(f"{f'line {line}: ' if line else ''}{reason}") from None


def _read_text(entry: FolderEntry) -> str:
    """The UTF-8 text of a file, within the size limit; PageError naming the problem."""
    try:
        text = safe_input.read_text(entry.name, entry.read_bytes(TEXT_LIMITS))
    except InputProblem as exc:
        reason = exc.reason.replace("not YAML text", "not text")  # the reader also serves Markdown
        raise PageError(f"{f'line {exc.line}: ' if exc.line else ''}{reason}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _title_from_heading(lines: list[str]) -> str:
    for line in lines:
        if line.strip():
            return line[2:].strip() if line.startswith("# ") else ""
    return ""


def parse_page(entry: FolderEntry, kind: str) -> ParsedPage:
    """Read one Markdown file of `kind`; raises PageError naming what is wrong."""
    text = _read_text(entry)
    match = _FRONT_MATTER.match(text)
    if match is None and kind != PostKind.PAGE:
        raise PageError("no front matter (a --- block with title, date, status) at the top")
    meta = {}
    if match is not None:
        try:
            meta = _load_yaml(match.group(1), entry.name, first_line=2)
        except PageError as exc:
            raise PageError(f"front matter is not valid YAML ({exc})") from None
        if meta is None:
            meta = {}
        if not isinstance(meta, dict):
            raise PageError("front matter is not a mapping of names to values")
    body_start = match.end() if match else 0
    first_line = text[:body_start].count("\n") + 1
    lines = text[body_start:].split("\n")
    title = str(meta.get("title") or "").strip()
    if kind == PostKind.PAGE and not title:
        title = _title_from_heading(lines) or Path(entry.name).stem.replace("-", " ").capitalize()
    if not title:
        raise PageError("front matter has no title")
    default_status = "published" if kind == PostKind.PAGE else "draft"
    status_text = str(meta.get("status") or default_status).strip().lower()
    if status_text not in STATUS_MAP:
        raise PageError(f"status {status_text!r} is not one of {', '.join(STATUS_MAP)}")
    if kind != PostKind.PAGE and meta.get("date") in (None, ""):
        raise PageError("front matter has no date")
    date = _parse_date(meta["date"]) if meta.get("date") not in (None, "") else None
    slug = slugify(Path(entry.name).stem)[:200]
    if not slug:
        raise PageError("the file name gives no web address (use letters or digits, e.g. my-post.md)")
    if kind != PostKind.PAGE:
        lines, first_line = _strip_title_heading(lines, first_line, title)
    return ParsedPage(
        kind=kind,
        slug=slug,
        title=title[:250],
        description=str(meta.get("description") or "").strip()[:500],
        author_names=str(meta.get("author") or "").strip()[:300],
        date=date,
        status=STATUS_MAP[status_text],
        body="\n".join(lines),
        file=entry.name,
        first_line=first_line,
    )


def _strip_title_heading(lines: list[str], first_line: int, title: str) -> tuple[list[str], int]:
    """Upstream article bodies repeat the title as a first `# ` heading; our page prints the title."""
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1
    if skipped < len(lines) and lines[skipped].startswith("# ") and slugify(lines[skipped][2:]) == slugify(title):
        return lines[skipped + 1 :], first_line + skipped + 1
    return lines, first_line


def _folder_entries(
    root: Path, folder: str, suffixes: tuple[str, ...], report: PagesImportReport, *, limits: InputLimits = TEXT_LIMITS
) -> list[FolderEntry]:
    """The files of `folder` (or of the root, for "") the import reads, through the safe folder
    walk: refused entries (names that are not UTF-8, symbolic links leaving the folder or leading
    nowhere, folders named like files, ...) are reported and left out."""
    directory = root / folder if folder else root
    if folder and (directory.is_symlink() or not directory.is_dir()):
        if directory.is_symlink():
            report.skipped.append((folder, "is a symbolic link; not followed"))
        elif directory.exists():
            report.skipped.append((folder, "is a file, not a folder"))
        return []
    found = []
    for outcome in safe_input.walk_folder(directory, suffixes=suffixes, limits=limits):
        if isinstance(outcome, InputProblem):
            name = f"{folder}/{outcome.name}" if folder else outcome.name
            report.skipped.append((name, outcome.reason))
        else:
            found.append(FolderEntry(f"{folder}/{outcome.name}" if folder else outcome.name, outcome.path))
    return found


# --- converting bodies --------------------------------------------------------------------------
class _Conversion(components.ConversionContext):
    """The importer's side of a body's conversion: reports into the import report, checks links
    and pictures against what the site will hold after the import."""

    def __init__(
        self, file: str, report: PagesImportReport, site_map: links.SiteMap, usage: dict, *, published: bool = True
    ):
        self.file, self.report, self.site_map, self.usage = file, report, site_map, usage
        # Readers follow the links of what is published; a draft's links matter when it is.
        self.published = published

    def warn(self, line, message):
        issue = Issue(self.file, line, message)
        if message.startswith("unknown component"):
            self.report.unknown_components.append(issue)
        self.report.warnings.append(issue)

    def count(self, component):
        self.report.components[component] += 1

    def link(self, url, line):
        resolution = links.resolve(url, self.site_map)
        if resolution is None:
            return url
        self.report.links_checked += 1
        if resolution.broken:
            issue = Issue(self.file, line, f"{url}: {resolution.broken}")
            (self.report.broken_links if self.published else self.report.draft_links).append(issue)
            return url
        if resolution.repaired:
            self.report.repaired_links.append(Issue(self.file, line, resolution.repaired))
        if resolution.target != url:
            self.report.links_rewritten += 1
        return resolution.target

    def image(self, src, line, *, alt="", title=""):
        name = src.rsplit("/", 1)[-1]
        if not src.startswith(("/images/", "images/")) and "/" in src:
            self.warn(line, f"picture {src!r} is not in the site's images/ folder")
            return None
        if name.lower() not in self.site_map.images:
            self.report.missing_images.append(
                Issue(self.file, line, f"picture {name!r} is neither in images/ nor in the image library")
            )
            return None
        self.usage.setdefault(name.lower(), (alt, title))
        return self.site_map.images[name.lower()]

    def load_yaml(self, text, line):
        return _load_yaml(text, self.file, first_line=line)

    def models(self, terms, line):
        missing = [t for t in terms if self.site_map.model_slug(t) is None]
        if missing:
            self.warn(
                line,
                f"::the-index: no public model is called {', '.join(map(repr, missing))} (import the index first?)",
            )


def convert_lines(
    lines: list[str], first_line: int, context: components.ConversionContext, library_alts=None
) -> list[str]:
    """Pictures, links, then components (see the module docstring); returns the new lines."""
    library_alts = library_alts or {}
    out = []
    for offset, line in enumerate(lines):
        number = first_line + offset
        picture = _PICTURE_ALONE.match(line)
        if picture:
            alt, name, title = picture.group(1), picture.group(2), picture.group(3) or ""
            stem, _, suffix = name.rpartition(".")
            if stem in CHART_IMAGES and suffix.lower() == "png":
                if isinstance(context, _Conversion):
                    context.report.charts_replaced += 1
                out.append(components.embed("chart", positional=[CHART_IMAGES[stem]]))
                continue
            library = context.image(f"/images/{name}", number, alt=alt, title=title)
            if library is not None:
                if isinstance(context, _Conversion):
                    context.report.picture_embeds += 1
                described = library_alts.get(library.lower()) or context_usage(context, library)
                options = {}
                if alt and described and alt != described[0]:
                    options["alt"] = alt
                if title and described and title != described[1]:
                    options["caption"] = title
                out.append(components.embed("image", options, positional=[library]))
                continue
        for unclosed in links.unclosed_titles(line):
            if isinstance(context, _Conversion):
                context.report.repaired_links.append(
                    Issue(context.file, number, f"closed the title of {unclosed.strip()}")
                )
        out.append(links.rewrite_links(line, lambda found, n=number: _checked(found, n, context)))
    return components.convert(out, first_line, context)


def context_usage(context, library_name: str):
    return getattr(context, "usage", {}).get(library_name.lower())


def _checked(found: links.FoundLink, line: int, context) -> str:
    if found.image and found.url.startswith("/images/"):
        return "/images/" + (context.image(found.url, line, alt=found.text) or found.url.rsplit("/", 1)[-1])
    return context.link(found.url, line)


def convert_body(body: str) -> str:
    """Convert upstream components of `body` into embeds, with no checks against the site
    (for tests and previews of upstream text)."""
    lines = body.replace("\r\n", "\n").split("\n")
    return "\n".join(convert_lines(lines, 1, components.ConversionContext()))


# --- the site-wide files ------------------------------------------------------------------------
def _icon_label(icon: str) -> str:
    """`devicon-plain:codeberg` -> `Codeberg`: a readable name for an icon-only menu entry."""
    name = icon.rsplit(":", 1)[-1].split("-")[0] if icon else ""
    return name.capitalize()


def _yaml_lines(text: str, name: str) -> dict[int, int]:
    """Item index -> line (1-based) of the first list's items in a YAML text, for reports."""
    try:
        node = safe_input.compose(text, name, TEXT_LIMITS)
    except InputProblem:
        return {}
    while node is not None and not isinstance(node, yaml.SequenceNode):
        values = [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else []
        node = next((v for v in values if isinstance(v, yaml.SequenceNode)), None)
    return {i: safe_input.node_line(item) for i, item in enumerate(node.value)} if node is not None else {}


def _yaml_entries(entry: FolderEntry, key: str) -> list[tuple[object, int | None]]:
    """The entries of a YAML file's list (under `key`, or the whole file), with their lines."""
    text = _read_text(entry)
    data = _load_yaml(text, entry.name)
    items = data.get(key) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise PageError(f"has no `{key}:` list of entries")
    lines = _yaml_lines(text, entry.name)
    return [(item, lines.get(index)) for index, item in enumerate(items)]


def _read_menu(entry: FolderEntry, site_map, report) -> list[tuple[str, str, str]]:
    context = _Conversion(MENU_FILE, report, site_map, {})
    menu = []
    for item, line in _yaml_entries(entry, "menu"):
        if not isinstance(item, dict) or not item.get("link"):
            context.warn(line, f"menu entry {item!r} has no link; left out")
            continue
        for key in item:
            if key not in ("name", "link", "icon", "target"):
                context.warn(line, f"menu entry: unknown key {key!r} (keys: name, link, icon, target)")
        link = str(item["link"]).strip()
        problem = _menu_link_problem(link)
        if problem:
            context.warn(line, f"menu entry {item.get('name') or link!r}: {problem}; left out")
            continue
        icon = str(item.get("icon") or "").strip()
        label = str(item.get("name") or "").strip() or _icon_label(icon) or link
        menu.append((label[:100], context.link(link, line)[:500], icon[:100]))
    return menu


def _menu_link_problem(link: str) -> str:
    return check_link(link)


def _read_seo(entry: FolderEntry, report) -> dict[str, str]:
    data = _load_yaml(_read_text(entry), SEO_FILE)
    if not isinstance(data, dict):
        raise PageError("is not a mapping of page kinds (models, compare) to title and description")
    values = {}
    for kind, templates in data.items():
        if kind not in SEO_KINDS:
            report.warnings.append(
                Issue(
                    SEO_FILE, None, f"{kind!r}: this site has title templates for {', '.join(SEO_KINDS)} only; left out"
                )
            )
            continue
        if not isinstance(templates, dict):
            report.warnings.append(Issue(SEO_FILE, None, f"{kind}: not a mapping of title and description; left out"))
            continue
        title_field, description_field, allowed = SEO_KINDS[kind]
        for key, field_name in (("title", title_field), ("description", description_field)):
            template = str(templates.get(key) or "").strip()
            for problem in site.template_problems(template, allowed):
                report.warnings.append(Issue(SEO_FILE, None, f"{kind}.{key}: {problem}"))
            values[field_name] = template[:500]
        for key in templates:
            if key not in ("title", "description"):
                report.warnings.append(Issue(SEO_FILE, None, f"{kind}: unknown key {key!r} (keys: title, description)"))
    return values


def _read_logos(entry: FolderEntry, name: str, site_map, report) -> list[tuple[str, str, str]]:
    context = _Conversion(name, report, site_map, {})
    logos = []
    for item, line in _yaml_entries(entry, "items"):
        if not isinstance(item, dict) or not item.get("title"):
            context.warn(line, f"entry {item!r} has no title; left out")
            continue
        link = str(item.get("url") or item.get("link") or "").strip()
        if link and _menu_link_problem(link):
            context.warn(line, f"{item['title']!r}: {_menu_link_problem(link)}; the logo is shown without a link")
            link = ""
        picture = (
            context.image(str(item.get("image") or ""), line, alt=str(item["title"])) if item.get("image") else None
        )
        logos.append((str(item["title"])[:200], link[:500], picture or ""))
    return logos


# --- writing ------------------------------------------------------------------------------------
def _store(page: ParsedPage, report: PagesImportReport, user) -> bool:
    """Create or update one post or page; True if readers' view changed."""
    post = Post.objects.filter(kind=page.kind, slug=page.slug).first()
    label = f"{page.kind}/{page.slug}"
    date = page.date or (post.date if post else timezone.localdate())
    fields = {
        "title": page.title,
        "description": page.description,
        "author_names": page.author_names,
        "date": date,
        "body": page.body,
    }
    if post is not None and all(getattr(post, k) == v for k, v in fields.items()) and post.status == page.status:
        report.unchanged.append(label)
        return False
    created = post is None
    post = post or Post(kind=page.kind, slug=page.slug)
    was_visible = post.status == PostStatus.PUBLISHED
    for name, value in fields.items():
        setattr(post, name, value)
    post.source_path = page.file[:300]
    # Upstream is the authority on content and status; embed problems are reported, not refused.
    services._save_post(post, user=user, comment=f"Imported from {page.file}", check_embeds=False)
    if post.status != page.status:
        before = post.status
        post.status = page.status
        post.published_at = timezone.now() if page.status == PostStatus.PUBLISHED else post.published_at
        post.publish_at = None
        post.save(update_fields=["status", "published_at", "publish_at", "updated_at"])
        PostStatusChange.objects.create(
            post=post,
            from_status=before if not created else "",
            to_status=page.status,
            user=user if getattr(user, "pk", None) else None,
            comment=f"Imported from {page.file}",
        )
    (report.created if created else report.updated).append(label)
    return was_visible or post.status == PostStatus.PUBLISHED


def _store_pictures(pictures: list[PictureFile], usage: dict, report: PagesImportReport, user) -> None:
    for picture in pictures:
        existing = Image.objects.filter(name=picture.name).first()
        alt, title = usage.get(picture.name.lower(), ("", ""))
        try:
            with transaction.atomic():
                _, changed = images.store_image(
                    picture.name,
                    picture.data,
                    user=user,
                    source_path=picture.file,
                    # Editors' own text is kept: the import only fills what is empty.
                    alt_text=alt if alt and not (existing and existing.alt_text) else None,
                    caption=title if title and not (existing and existing.caption) else None,
                )
        except images.ImageProblem as exc:
            report.skipped.append((picture.file, exc.reason))
            continue
        if existing is None:
            report.images_created.append(picture.name)
        elif changed:
            report.images_updated.append(picture.name)
        else:
            report.images_unchanged.append(picture.name)


def _store_site(content: SiteContent, report: PagesImportReport, source: str) -> bool:
    row = site.site_settings()
    changed = []
    if content.footer is not None and row.footer != content.footer:
        row.footer = content.footer
        changed.append("footer")
    if content.seo is not None:
        for name, value in content.seo.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                if "title templates" not in changed:
                    changed.append("title templates")
    if changed:
        row.source_path = source[:300]
        row.save()
    if content.menu is not None:
        current = list(row.menu_items.order_by("position", "pk").values_list("label", "link", "icon"))
        if current != content.menu:
            row.menu_items.all().delete()
            MenuItem.objects.bulk_create(
                MenuItem(site=row, position=i, label=label, link=link, icon=icon)
                for i, (label, link, icon) in enumerate(content.menu)
            )
            changed.append(f"menu ({len(content.menu)} entries)")
    for group, logos in content.logos.items():
        current = [
            (logo.title, logo.link, logo.image.name if logo.image else "")
            for logo in row.logos.filter(group=group).select_related("image")
        ]
        if current != logos:
            row.logos.filter(group=group).delete()
            by_name = {i.name.lower(): i for i in Image.objects.filter(name__in=[n for _, _, n in logos if n])}
            SiteLogo.objects.bulk_create(
                SiteLogo(site=row, group=group, position=i, title=title, link=link, image=by_name.get(name.lower()))
                for i, (title, link, name) in enumerate(logos)
            )
            changed.append(f"{SiteLogo.Group(group).label.lower()} ({len(logos)} logos)")
    report.site_changes += changed
    return bool(changed)


# --- the import ---------------------------------------------------------------------------------
def import_pages(path, *, strict: bool = False, user=None, progress=None) -> PagesImportReport:
    """Import a site-pages folder (see the module docstring). Returns what happened, per file.

    Raises PageError when `path` is not a folder or holds nothing to import."""
    report = PagesImportReport()
    root = Path(path)
    if not root.is_dir():
        raise PageError(f"{root} is not a folder")

    parsed: list[ParsedPage] = []
    for folder, kind in FOLDER_KINDS.items():
        for entry in _folder_entries(root, folder, (".md",), report):
            try:
                parsed.append(parse_page(entry, kind))
            except PageError as exc:
                report.skipped.append((entry.name, str(exc)))
    pictures = []
    for entry in _folder_entries(
        root, IMAGES_FOLDER, IMAGE_SUFFIXES + tuple(s.upper() for s in IMAGE_SUFFIXES), report, limits=PICTURE_LIMITS
    ):
        try:
            data = entry.read_bytes(PICTURE_LIMITS)
            images.inspect(data, entry.name)
            pictures.append(PictureFile(images.check_name(Path(entry.name).name), entry.name, data))
        except InputProblem as exc:
            report.skipped.append((entry.name, exc.reason))
        except images.ImageProblem as exc:
            report.skipped.append((entry.name, exc.reason))
    site_files = {
        entry.name: entry for entry in _folder_entries(root, "", tuple(SITE_FILES), report) if entry.name in SITE_FILES
    }
    if not parsed and not pictures and not site_files and not report.skipped:
        raise PageError(
            f"{root} has no news/, guides/ or pages/ Markdown files, images/ or site files ({MENU_FILE}, {FOOTER_FILE}, {SEO_FILE})"
        )

    planned = {(p.kind, p.slug): p.status for p in parsed}
    site_map = links.SiteMap.of_site(planned, {p.name for p in pictures})
    usage: dict = {}
    library_alts = {
        name.lower(): (alt, caption)
        for name, alt, caption in Image.objects.exclude(alt_text="").values_list("name", "alt_text", "caption")
    }
    converted = []
    for page in parsed:
        context = _Conversion(page.file, report, site_map, usage, published=page.status == PostStatus.PUBLISHED)
        try:
            lines = convert_lines(page.body.split("\n"), page.first_line, context, library_alts)
        except (PageError, components.TooDeep) as exc:
            report.skipped.append((page.file, str(exc)))
            continue
        page.body = "\n".join(lines).strip() + "\n"
        converted.append(page)
    parsed = converted

    content = SiteContent()
    readers = {
        MENU_FILE: lambda p: setattr(content, "menu", _read_menu(p, site_map, report)),
        SEO_FILE: lambda p: setattr(content, "seo", _read_seo(p, report)),
        FOOTER_FILE: lambda p: setattr(content, "footer", _convert_footer(p, site_map, report, usage)),
    }

    def logo_reader(name: str, group: str) -> Callable[[FolderEntry], None]:
        def read(entry: FolderEntry) -> None:
            content.logos[group] = _read_logos(entry, name, site_map, report)

        return read

    for name, group in LOGO_FILES.items():
        readers[name] = logo_reader(name, group)
    for name, entry in site_files.items():
        try:
            readers[name](entry)
        except PageError as exc:
            report.skipped.append((name, str(exc)))

    if strict and report.skipped:
        return report  # nothing written
    visible_changed = False
    with transaction.atomic():
        _store_pictures(pictures, usage, report, user)
        if strict and report.skipped:
            transaction.set_rollback(True)
            for stored in (report.images_created, report.images_updated, report.images_unchanged):
                stored.clear()
            return report
        for page in progress(parsed) if progress else parsed:
            try:
                with transaction.atomic():
                    visible_changed |= _store(page, report, user)
            except EditorialError as exc:
                report.skipped.append((page.file, str(exc)))
                if strict:
                    transaction.set_rollback(True)
                    for written in (
                        report.created,
                        report.updated,
                        report.unchanged,
                        report.published,
                        report.drafts,
                        report.images_created,
                        report.images_updated,
                        report.images_unchanged,
                    ):
                        written.clear()  # rolled back: nothing of it was imported
                    return report
                continue
            (report.published if page.status == PostStatus.PUBLISHED else report.drafts).append(
                f"{page.kind}/{page.slug}"
            )
        if _store_site(content, report, str(root.name)):
            site.settings_changed("imported " + ", ".join(report.site_changes))
        if visible_changed:
            record_data_change("news, guides and pages imported", kept_in_history=True)
    _check_embeds(parsed, report)
    return report


def _convert_footer(entry: FolderEntry, site_map, report, usage) -> str:
    context = _Conversion(FOOTER_FILE, report, site_map, usage)
    return "\n".join(convert_lines(_read_text(entry).split("\n"), 1, context)).strip()


def _check_embeds(parsed: list[ParsedPage], report: PagesImportReport) -> None:
    """Embeds of imported published posts that cannot show what they should (readers see nothing
    there): reported so that editors fix them."""
    for page in parsed:
        if page.status != PostStatus.PUBLISHED:
            continue
        post = Post.objects.filter(kind=page.kind, slug=page.slug).first()
        if post is None:
            continue
        for problem in render_markdown(post.body, post=post).embed_problems:
            report.embed_problems.append(Issue(page.file, None, problem.describe()))


__all__ = ["HOME_PAGE_SLUG", "Issue", "PageError", "PagesImportReport", "convert_body", "import_pages", "parse_page"]
