"""The reader's colour scheme: following the system (`prefers-color-scheme`), or light or dark
as chosen with the links in the footer. The choice is a cookie, set by a plain link (no
script needed); pages are cached per scheme (curation.public.caching keys on it)."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

THEME_COOKIE = "theme"
THEMES = ("auto", "light", "dark")
ONE_YEAR = 365 * 24 * 3600


def chosen_theme(request) -> str:
    """ "light" or "dark" when the reader chose one, else "auto" (the system's setting)."""
    value = request.COOKIES.get(THEME_COOKIE, "")
    return value if value in THEMES else "auto"


def theme(request) -> dict:
    """Context processor: the reader's colour scheme, and the page to come back to."""
    return {"theme": chosen_theme(request), "themes": THEMES}


@require_safe
def set_theme(request):
    """`/theme/?mode=dark&next=/models/`: remember the scheme and go back to the page."""
    mode = request.GET.get("mode", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if mode in ("light", "dark"):
        response.set_cookie(THEME_COOKIE, mode, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(THEME_COOKIE, samesite="Lax")
    response["Cache-Control"] = "private, no-store"
    return response
