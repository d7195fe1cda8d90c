"""The site-wide settings editors change: the main menu, the footer and the page title and
description templates (SEO), read by every public page.

`SiteSettings` is one row (curation.models.site). Saving it, its menu or its logos records a data
change, so the cached pages (curation.public.caching) show the new menu at once.

Title templates use the upstream site's placeholders (its `SEO.yml`): `{system.name}`,
`{org.name}` and the other keys of a model file for model pages, `{names}` for comparisons.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from curation.datachanges import cache_generation, current_data_version, record_data_change
from curation.editorial.rendering import render_markdown
from curation.interchange.upstream import ORG_KEYS, SYSTEM_KEYS
from curation.models import MenuItem, SiteSettings
from curation.models.site import SITE_SETTINGS_ID
from curation.public.caching import remembered_per_data_version

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Placeholders a model page's title and description may use: the model file's keys.
MODEL_PLACEHOLDERS = [f"system.{key}" for key, _attr in SYSTEM_KEYS] + [f"org.{key}" for key in ORG_KEYS]
COMPARE_PLACEHOLDERS = ["names"]
NAVIGATION_CACHE_KEY = "osai:site-navigation:{generation}:{version}"


def site_settings() -> SiteSettings:
    """The site's settings row (created empty on first use)."""
    settings_row, _ = SiteSettings.objects.get_or_create(pk=SITE_SETTINGS_ID)
    return settings_row


@transaction.atomic
def settings_changed(what: str) -> None:
    """Record that the menu, footer, logos or title templates changed (call in the saving transaction)."""
    record_data_change(f"site settings changed: {what}"[:200], kept_in_history=True)


# --- title and description templates ---------------------------------------------------------
def template_problems(template: str, allowed: list[str]) -> list[str]:
    """Placeholders of `template` that are not in `allowed`, as sentences (empty when fine)."""
    unknown = [name for name in _PLACEHOLDER.findall(template or "") if name.strip() not in allowed]
    return [
        f"{{{name}}} is not a placeholder here (use {', '.join('{' + a + '}' for a in allowed)})" for name in unknown
    ]


def fill_template(template: str, values: dict[str, str]) -> str:
    """`template` with each `{placeholder}` replaced by its value; unknown ones become empty, as
    upstream's interpolation does. The result is plain text (templates escape it)."""
    return " ".join(_PLACEHOLDER.sub(lambda m: str(values.get(m.group(1).strip(), "") or ""), template or "").split())


def model_values(model) -> dict[str, str]:
    values = {}
    for key, attr in SYSTEM_KEYS:
        value: Any = getattr(model, attr, "")
        if attr == "types":
            value = ", ".join(model.type_list)
        elif attr == "release_date":
            value = value.strftime("%Y-%m") if value else ""
        values[f"system.{key}"] = value or ""
    organisation = getattr(model, "organisation", None)
    for key in ORG_KEYS:
        values[f"org.{key}"] = getattr(organisation, key, "") if organisation else ""
    return values


@dataclass(frozen=True)
class PageMeta:
    """A page's title and description from the editors' templates ("" where there is none)."""

    title: str
    description: str


def model_page_meta(model, row: SiteSettings | None = None) -> PageMeta:
    """The title and description of a model's page, from the editors' templates."""
    row = row or site_settings()
    values = model_values(model)
    return PageMeta(
        title=fill_template(row.model_title, values),
        description=fill_template(row.model_description, values),
    )


def compare_page_meta(models, row: SiteSettings | None = None) -> PageMeta:
    """The title and description of a comparison page, from the editors' templates."""
    row = row or site_settings()
    names = [m.name for m in models]
    joined = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + (names[-1] if names else "")
    values = {"names": joined}
    return PageMeta(
        title=fill_template(row.compare_title, values) if names else "",
        description=fill_template(row.compare_description, values) if names else "",
    )


# --- navigation for every page ---------------------------------------------------------------
@dataclass(frozen=True)
class MenuEntry:
    label: str
    link: str
    external: bool


@dataclass(frozen=True)
class Navigation:
    menu: tuple[MenuEntry, ...]
    footer_html: str


def navigation() -> Navigation:
    """The menu and the rendered footer, cached until the data next changes (every page shows
    them, so a cached copy saves each page its queries), and kept in each process for the data
    version (so a page rendered with a shared cache makes no round trip for them either)."""
    try:
        return _navigation_this_version()
    except Exception:  # noqa: BLE001 - a cache outage must not take the page down with it
        return _shared_navigation()


@remembered_per_data_version
def _navigation_this_version() -> Navigation:
    return _shared_navigation()


def _shared_navigation() -> Navigation:
    """The navigation from the shared cache, made and kept there when missing."""
    try:
        key = NAVIGATION_CACHE_KEY.format(generation=cache_generation(), version=current_data_version())
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not take the page down with it
        key, found = "", None
    if found is not None:
        return found
    items = list(MenuItem.objects.filter(site_id=SITE_SETTINGS_ID).select_related("site").order_by("position", "pk"))
    menu = tuple(MenuEntry(item.label, item.link, item.is_external) for item in items)
    # The footer comes with the menu (one query) unless the menu is empty.
    footer = (
        items[0].site.footer
        if items
        else (SiteSettings.objects.filter(pk=SITE_SETTINGS_ID).values_list("footer", flat=True).first() or "")
    )
    found = Navigation(menu, str(render_markdown(footer).html) if footer.strip() else "")
    if key:
        with contextlib.suppress(Exception):  # a cache outage must not take the page down with it
            cache.set(key, found, 60 * 60)
    return found
