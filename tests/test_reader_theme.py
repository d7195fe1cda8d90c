"""Dark mode: the system's colour scheme by default, or the reader's pick, chosen with a plain
link (no script), remembered in a cookie, and never served to another reader from the cache."""

from __future__ import annotations

import pytest

from curation.public.theme import THEME_COOKIE

pytestmark = pytest.mark.django_db


def test_the_footer_links_choose_a_scheme_and_come_back(client, registry):
    page = client.get("/models/").content.decode()
    assert '<html lang="en" data-theme="auto">' in page
    assert '<meta name="color-scheme" content="light dark">' in page
    assert 'href="/theme/?mode=dark&amp;next=/models/"' in page
    response = client.get("/theme/", {"mode": "dark", "next": "/models/?type=text"})
    assert response.status_code == 302 and response["Location"] == "/models/?type=text"
    assert response.cookies[THEME_COOKIE].value == "dark"
    dark = client.get("/models/").content.decode()
    assert '<html lang="en" data-theme="dark">' in dark and '<meta name="color-scheme" content="dark">' in dark
    # The cached page of one scheme is never another reader's page.
    client.cookies.pop(THEME_COOKIE)
    assert '<html lang="en" data-theme="auto">' in client.get("/models/").content.decode()
    back = client.get("/theme/", {"mode": "auto", "next": "/"})
    assert back.cookies[THEME_COOKIE].value == ""


def test_the_scheme_link_never_leads_off_the_site(client, db):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get("/theme/", {"mode": "light", "next": target})
        assert response["Location"] == "/", target


def test_an_unknown_cookie_value_is_the_systems_scheme(client, registry):
    client.cookies[THEME_COOKIE] = "neon"
    assert '<html lang="en" data-theme="auto">' in client.get("/models/").content.decode()
