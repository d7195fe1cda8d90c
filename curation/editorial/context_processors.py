"""What every public page's layout needs from the site settings: the main menu and the footer.

Both are read only when a template uses them (the admin's pages never do), and the footer's
rendered HTML is cached until the data next changes (curation.editorial.site).
"""

from __future__ import annotations

from functools import cached_property

from django.utils.safestring import mark_safe

from curation.editorial import site


class SiteNavigation:
    def __init__(self, request):
        self.path = getattr(request, "path", "/")

    @cached_property
    def _navigation(self):
        return site.navigation()

    @cached_property
    def menu(self) -> list[dict]:
        """Menu entries with `current` set on the one the page belongs to (the longest match)."""
        entries = [
            {"label": e.label, "link": e.link, "external": e.external, "current": False} for e in self._navigation.menu
        ]
        matches = [e for e in entries if not e["external"] and _belongs(self.path, e["link"])]
        if matches:
            max(matches, key=lambda e: len(e["link"]))["current"] = True
        return entries

    @cached_property
    def footer(self):
        return mark_safe(self._navigation.footer_html)  # noqa: S308 - rendered and sanitised Markdown


def _belongs(path: str, link: str) -> bool:
    link = link.split("?", 1)[0].split("#", 1)[0]
    if link in ("", "/"):
        return path == "/"
    return path == link or path.startswith(link.rstrip("/") + "/")


def navigation(request) -> dict:
    return {"site_nav": SiteNavigation(request)}
