"""Markdown rendering, sanitising and embeds of posts."""

from __future__ import annotations

import re

import pytest

from curation.editorial.rendering import parse_directive, render_markdown, sanitise

# Payloads that must never survive as executable markup. Each sets window.__xss or alerts.
XSS_CORPUS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="window.__xss=1">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:window.__xss=1">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "[markdown link](javascript:alert(1))",
    "[spaced](  javascript:alert(1))",
    "![img](javascript:alert(1))",
    '<svg onload="window.__xss=1"><circle r="5"/></svg>',
    "<svg><script>window.__xss=1</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<body onload=alert(1)>",
    '<details open ontoggle="window.__xss=1">x</details>',
    '<p onmouseover="window.__xss=1">hover</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "<!--><script>alert(1)</script>-->",
    "<style>body{background:url('javascript:alert(1)')}</style>",
    '<table><td background="javascript:alert(1)">x</td></table>',
    "`<script>alert(1)</script>` in code is shown, not run",
]
# Attribute names and URL schemes that can run script.
_DANGEROUS = re.compile(
    r"<script|<svg|<math|<object|<embed|<form|<meta|<base|<style|\son[a-z]+\s*=|javascript:|srcdoc|data:", re.I
)


def _markup_only(html: str) -> str:
    """Tags of the output (text content is harmless even if it reads like code)."""
    return " ".join(re.findall(r"<[^>]*>", html))


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_sanitised_output_has_no_executable_markup(payload, db):
    html = render_markdown(payload).html
    assert not _DANGEROUS.search(_markup_only(html)), html


def test_iframes_only_from_allowed_hosts(settings):
    settings.OSAI_IFRAME_ALLOWED_HOSTS = ["www.youtube-nocookie.com"]
    kept = sanitise('<iframe src="https://www.youtube-nocookie.com/embed/abc" onload="x()"></iframe>')
    assert kept == '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>'
    assert sanitise('<iframe src="https://evil.example/embed/abc"></iframe>') == ""
    assert sanitise('<iframe src="http://www.youtube-nocookie.com/embed/abc"></iframe>') == ""


def test_markdown_features_survive_sanitising(db):
    body = (
        "## Why open data\n\n"
        "A claim.[^1] Some `code` and a [link](https://example.org).\n\n"
        "| Model | Grade |\n|:--|--:|\n| OLMo | open |\n\n"
        "```python\nprint('hi')\n```\n\n"
        "[^1]: The source.\n"
    )
    html = render_markdown(body).html
    assert '<h2 id="why-open-data">' in html
    assert '<a class="header-anchor" href="#why-open-data"' in html
    assert "<table>" in html and '<th style="text-align:left">Model</th>' in html
    assert '<td style="text-align:right">open</td>' in html
    assert "<pre><code>print(&#39;hi&#39;)" in html or "<pre><code>print('hi')" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert 'class="footnotes"' in html and 'class="footnote-ref"' in html and "The source." in html


def test_author_html_tables_keep_layout_styles_only(db):
    html = sanitise(
        '<table style="margin: auto; position: fixed; border-collapse: collapse"><tr><td style="padding: 10px">x</td></tr></table>'
    )
    assert "position" not in html
    assert "border-collapse:collapse" in html and "padding:10px" in html


def test_directive_parsing():
    directive = parse_directive('{% index view="grid" models="deepseek-v3, OLMo" performance-class=latest %}')
    assert directive.name == "index"
    assert directive.options == {"view": "grid", "models": "deepseek-v3, OLMo", "performance_class": "latest"}
    assert parse_directive('{% chart "academic-share" %}').positional == ["academic-share"]
    assert parse_directive("just text") is None
    assert parse_directive('{% chart "unclosed %}').error


def test_embed_inside_code_is_left_as_text(db):
    html = render_markdown('```\n{% chart "nope" %}\n```\n\n    {% chart "indented" %}\n').html
    assert html.count("{% chart") == 2
    assert "embed-error" not in html


def test_unknown_embed_and_chart_show_errors_in_preview_only(db):
    body = 'Intro\n\n{% chart "no-such-chart" %}\n\n{% sparkle %}\n\nOutro\n'
    preview = render_markdown(body, preview=True)
    public = render_markdown(body)
    assert len(preview.problems) == 2
    assert "unknown chart key 'no-such-chart'" in preview.problems[0]
    assert "Line 3" in preview.problems[0] and "Line 5" in preview.problems[1]
    assert preview.html.count('class="embed-error"') == 2
    assert "embed-error" not in public.html and "no-such-chart" not in public.html
    assert "Intro" in public.html and "Outro" in public.html


def test_embed_parameters_are_escaped_in_the_error_box(db):
    body = '{% chart "<img src=x onerror=alert(1)>" %}\n\n{% index view="<script>alert(1)</script>" %}\n'
    preview = render_markdown(body, preview=True).html
    assert "<img src=x" not in preview and "<script>" not in preview
    assert "&lt;script&gt;" in preview


def test_known_chart_renders_the_charts_figure(db):
    from curation.charts.catalogue import chart_keys

    html = render_markdown('{% chart "academic-share" %}', preview=True)
    assert "academic-share" in chart_keys()
    assert html.problems == []
    # Not generated yet in an empty database: the chart figure's quiet placeholder, or the figure.
    assert "chart-missing" in html.html or "<figure" in html.html


def test_index_embed_lists_matching_public_models(make_ai_model):
    make_ai_model("DeepSeek V3.2", performance_class="latest", upstream_filename="deepseek-v3.yaml")
    make_ai_model("OLMo", performance_class="full", upstream_filename="OLMo.yaml")
    make_ai_model("AMD OLMo", performance_class="full", upstream_filename="AMD-OLMo.yaml")
    make_ai_model("Hidden model", is_public=False, upstream_filename="hidden.yaml")
    make_ai_model("Mistral Large 3", types="text", performance_class="latest", upstream_filename="Mistral.yaml")

    # Terms are upstream file ids (any case), our slugs or full names; never mere substrings.
    html = render_markdown('{% index view="table" models="deepseek-v3, olmo, mistral-large-3, hidden" %}', preview=True)
    assert ">DeepSeek V3.2</a>" in html.html and ">OLMo</a>" in html.html and ">Mistral Large 3</a>" in html.html
    assert "AMD OLMo" not in html.html and "Hidden" not in html.html
    assert html.problems == ["Line 1: index embed: no public model matches 'hidden'"]

    grid = render_markdown('{% index view="grid" performance_class="latest" %}').html
    assert "DeepSeek V3.2" in grid and "Mistral Large 3" in grid and "OLMo" not in grid
    assert 'class="model-grid"' in grid


def test_index_embed_bad_filters_are_reported(make_ai_model):
    make_ai_model("OLMo")
    cases = {
        '{% index view="carousel" %}': "view 'carousel'",
        '{% index colour="red" %}': "unknown filter 'colour'",
        '{% index performance_class="fastest" %}': "performance_class",
        '{% index type="hologram" %}': "type",
        '{% index limit="0" %}': "limit",
        '{% index models="no-such-model" %}': "no public model matches 'no-such-model'",
    }
    for body, message in cases.items():
        rendered = render_markdown(body, preview=True)
        assert rendered.problems and message in rendered.problems[0], (body, rendered.problems)
        assert "embed-error" not in render_markdown(body).html


def test_byline_embed_uses_the_post(make_post):
    import datetime

    post = make_post("Bylined", author_names="Ada Lovelace & Alan Turing", date=datetime.date(2025, 2, 24))
    html = render_markdown("{% byline %}", post=post).html
    assert "By Ada Lovelace &amp; Alan Turing" in html
    assert '<time datetime="2025-02-24">24 February 2025</time>' in html
