"""Post iframes: the host allow-list reads the URL as a browser does (WHATWG URL Standard).

Case folder: ../shared/cases/bad-input/iframe-backslash — `https://evil.invalid\\@www.youtube-nocookie.com/…`
passed the allow-list (Python's urlsplit sees the allowed host after the `@`), while browsers
read the `\\` as `/` and load evil.invalid.
"""

from __future__ import annotations

import pytest

from curation.editorial.rendering import iframe_allowed, render_markdown, sanitise

ALLOWED = "www.youtube-nocookie.com"


@pytest.fixture(autouse=True)
def allow_list(settings):
    settings.OSAI_IFRAME_ALLOWED_HOSTS = [ALLOWED, "player.vimeo.com"]


def test_case_iframe_backslash_is_refused(db, bad_input_cases):
    body = (bad_input_cases / "iframe-backslash" / "body.md").read_text()

    html = render_markdown(body).html

    assert "<iframe" not in html
    assert "evil.invalid" not in html
    assert "A video about the index" in html


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.invalid\\@www.youtube-nocookie.com/embed/abc",
        "https://evil.invalid&#92;@www.youtube-nocookie.com/embed/abc",  # the backslash as an HTML entity
        "https://evil.invalid%5C@www.youtube-nocookie.com/embed/abc",  # credentials, whatever their spelling
        "https://user:pass@www.youtube-nocookie.com/embed/abc",
        "https:\\\\evil.invalid/www.youtube-nocookie.com/embed/abc",
        "https://www.youtube-nocookie.com\t.evil.invalid/embed/abc",  # browsers drop the tab
        "https://www.youtube-nocookie.com.evil.invalid/embed/abc",
        "http://www.youtube-nocookie.com/embed/abc",
        "//www.youtube-nocookie.com/embed/abc",
        "javascript://www.youtube-nocookie.com/%0Aalert(1)",
    ],
)
def test_iframes_that_a_browser_would_load_from_elsewhere_are_removed(src):
    assert sanitise(f'<iframe src="{src}"></iframe>') == ""


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube-nocookie.com/embed/abc",
        "HTTPS://WWW.YOUTUBE-NOCOOKIE.COM/embed/abc",
        "https://player.vimeo.com/video/1?h=2",
    ],
)
def test_allowed_hosts_still_embed(src):
    assert iframe_allowed(src)
    assert "<iframe" in sanitise(f'<iframe src="{src}"></iframe>')
