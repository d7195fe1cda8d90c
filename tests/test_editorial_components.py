"""Every upstream Markdown component becomes an embed, and every embed renders.

The upstream site's components (`Language-Technology-Assessment/website`, components/content)
are converted by curation.editorial.components; the embeds are rendered by
curation.editorial.embeds through curation.editorial.rendering.
"""

from __future__ import annotations

import pytest

from curation.editorial import components
from curation.editorial.importer import convert_body
from curation.editorial.rendering import render_markdown


class Recorder(components.ConversionContext):
    def __init__(self):
        self.warnings, self.counted = [], []

    def warn(self, line, message):
        self.warnings.append((line, message))

    def count(self, component):
        self.counted.append(component)


def convert(text: str) -> tuple[str, Recorder]:
    recorder = Recorder()
    return "\n".join(components.convert(text.split("\n"), 1, recorder)), recorder


# --- conversion --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "upstream,expected",
    [
        ('<author :author="author"></author>\n<date :date="date"></date>', "{% byline %}"),
        (":author\n:date", "{% byline %}"),
        (":contribute", "{% contribute %}"),
        ("::contribute\nSpotted a mistake?\n::", '{% contribute text="Spotted a mistake?" %}'),
        (":news", "{% news %}"),
        (":guides", "{% guides %}"),
        (":partners", "{% partners %}"),
        (":as-seen-in", "{% as-seen-in %}"),
        (":grid", '{% index view="grid" limit="100" %}'),
        (":list", '{% index limit="100" %}'),
        (":gradient", "{% gradient %}"),
        (':appear{text="Open by default"}', '{% appear text="Open by default" %}'),
        (':action-button{link="/about"}[About us]', '{% button link="/about" text="About us" %}'),
        ('::action-button{link="/about"}\nAbout us\n::', '{% button link="/about" text="About us" %}'),
        ("::note\nPlease **read** this.\n::", "{% note %}\nPlease **read** this.\n{% endnote %}"),
        (
            '::person{image="/images/ada.png" name="Ada Lovelace"}\n__Ada__ wrote.\n::',
            '{% person name="Ada Lovelace" image="ada.png" %}\n__Ada__ wrote.\n{% endperson %}',
        ),
        ("::people\nSome people.\n::", "{% people %}\nSome people.\n{% endpeople %}"),
        (
            "Generated :versionlink{repo=data}, updated :versionlink{repo=website}.",
            'Generated {% versionlink repo="data" %}, updated {% versionlink repo="website" %}.',
        ),
        (":the-index", '{% index type="text" filters="show" limit="100" %}'),
        (
            "::the-index\n---\nhideFilters: true\nfilters:\n  view: grid\n  models: OLMo, lumo\n---\n::",
            '{% index view="grid" models="OLMo, lumo" %}',
        ),
        (
            "::the-index\n---\nhideFilters: true\nversion: 2025-06-09\nfilters:\n  performanceclass: latest\n  trainingcode: [0.5, 1]\n---\n::",
            '{% index performance_class="latest" grade_trainingcode="partial,open" as_of="2025-06-09" %}',
        ),
    ],
)
def test_each_upstream_component_becomes_its_embed(db, registry, upstream, expected):
    converted, recorder = convert(upstream)
    assert converted == expected
    assert recorder.warnings == []


def test_landing_and_spotlight_keep_their_props_parts_and_nesting(db, registry):
    upstream = """::landing
---
title: "Research on open AI"
links:
  - text: "Explore the database"
    link: "/database"
notes: |
  Hosted at [CLST](https://www.ru.nl/en/cls/clst){:target="_blank"}.
---
::

::spotlight
Left text.

#right
::the-index
---
view: grid
hideFilters: true
filters:
    models: OLMo, lumo
---
::
::"""
    converted, recorder = convert(upstream)
    assert converted.split("\n") == [
        '{% landing title="Research on open AI" %}',
        "- [Explore the database](/database)",
        "",
        "Hosted at [CLST](https://www.ru.nl/en/cls/clst).",
        "{% endlanding %}",
        "",
        "{% spotlight %}",
        "Left text.",
        "",
        "{% right %}",
        '{% index view="grid" models="OLMo, lumo" %}',
        "{% endspotlight %}",
    ]
    assert [line for line, _ in recorder.warnings] == [1, 16]  # the link attribute, the misplaced view
    assert recorder.counted.count("the-index") == 1 and "spotlight" in recorder.counted


def test_unknown_components_are_reported_and_left_as_written():
    upstream = (
        "Intro.\n\n::sparkle{colour=red}\nKeep **this** text.\n::\n\n:confetti{size=big}\n\nSee :badge{kind=new} here."
    )
    converted, recorder = convert(upstream)
    assert "Keep **this** text." in converted
    assert '::sparkle{colour="red"}' in converted and ":confetti{size=big}" in converted
    assert ":badge{kind=new}" in converted
    assert [(line, message.split(" (")[0]) for line, message in recorder.warnings] == [
        (3, "unknown component 'sparkle'"),
        (7, "unknown component 'confetti'"),
        (9, "unknown component 'badge' inside a sentence; left as written"),
    ]
    # Rendered, nothing is dropped either.
    assert "Keep <strong>this</strong> text." in render_markdown(converted).html


def test_components_inside_code_are_left_alone_and_colons_in_prose_are_not_components():
    upstream = "```\n::note\nnot a note\n::\n```\n\nTime 10:30, ratio 1:2, see https://example.org/a:b and Note:this."
    converted, recorder = convert(upstream)
    assert converted == upstream and recorder.warnings == []


def test_an_unclosed_block_runs_to_the_end_of_the_file_and_is_reported():
    converted, recorder = convert("::note\nStill a note.")
    assert converted == "{% note %}\nStill a note.\n{% endnote %}"
    assert recorder.warnings == [(1, "::note is never closed with a line `::`; it runs to the end of the file")]


def test_nesting_has_a_limit():
    deep = "\n".join(["::note"] * (components.MAX_NESTING + 3) + ["x"] + ["::"] * (components.MAX_NESTING + 3))
    with pytest.raises(components.TooDeep, match="nested more than"):
        convert(deep)


def test_every_upstream_component_has_a_converter(db, registry):
    for name in components.UPSTREAM_COMPONENTS:
        converted, recorder = convert(f":{name}")
        assert not any("unknown component" in m for _, m in recorder.warnings), name
        if name == "action-button":  # a button needs its link and text
            assert recorder.warnings == [(1, ":action-button needs a link and a text; left as written")]
            continue
        assert converted.startswith("{%"), (name, converted)


# --- rendering ---------------------------------------------------------------------------------
def test_containers_and_parts_render_around_their_markdown(db):
    html = str(
        render_markdown(
            "{% note %}\nRead **this**.\n{% endnote %}\n\n{% spotlight %}\nLeft.\n{% right %}\nRight.\n{% endspotlight %}",
            preview=True,
        ).html
    )
    assert '<aside class="embed-note">\n<p>Read <strong>this</strong>.</p>\n</aside>' in html
    main, side = html.index('class="spotlight-main"'), html.index('class="spotlight-side"')
    assert main < html.index("<p>Left.</p>") < side < html.index("<p>Right.</p>")
    assert "Explore all 0 models" in html and "embed-error" not in html


def test_structural_mistakes_are_problems_with_their_line(db):
    rendered = render_markdown("{% right %}\n\n{% endnote %}\n\n{% note %}\nunclosed\n")
    assert rendered.problems == [
        "Line 1: {% right %} belongs inside {% spotlight %}",
        "Line 3: {% endnote %} without an opening {% note %} line",
        "Line 5: {% note %} needs a closing {% endnote %} line",
    ]
    assert "unclosed" in rendered.html


def test_page_blocks_render_from_the_sites_data(make_ai_model, make_post, editor):
    from curation.editorial import services
    from curation.models import PostKind

    make_ai_model("OLMo", upstream_filename="OLMo.yaml")
    news = make_post("Fresh news", description="What happened")
    services.publish(news, user=editor)
    contribute = make_post("Contribute", kind=PostKind.PAGE, slug="contribute")
    services.publish(contribute, user=editor)
    body = "\n\n".join(
        [
            "{% news %}",
            "{% guides %}",
            "{% contribute %}",
            '{% button link="/about/" text="About us" %}',
            '{% appear text="Open by default" %}',
            "{% gradient %}",
            "{% partners %}",
            'Updated {% versionlink repo="data" %} and {% versionlink repo="website" %}.',
            '{% landing title="Open AI research" %}\n- [Explore](/models/)\n{% endlanding %}',
            '{% person name="Ada Lovelace" %}\nAda wrote.\n{% endperson %}',
        ]
    )
    rendered = render_markdown(body, preview=True)
    assert rendered.problems == []
    html = str(rendered.html)
    assert 'href="/news/fresh-news/"' in html and "What happened" in html and "Read all news →" in html
    assert "Nothing published yet." in html  # no guides
    assert 'href="/contribute/">Contribute here →' in html and "Is this information not up to date?" in html
    assert '<a class="action-button" href="/about/">About us →</a>' in html
    assert '<p class="embed-appear">Open by default</p>' in html and '<hr class="embed-gradient">' in html
    assert "embed-logos" not in html  # no partners yet: nothing shown
    assert 'class="embed-versionlink" href="/news/"' in html
    assert '<h1 class="landing-title">Open AI research</h1>' in html
    assert 'class="person-initials" aria-hidden="true">AL</span>' in html


@pytest.mark.parametrize(
    "body,problem",
    [
        ('{% button link="javascript:alert(1)" text="x" %}', "not an http(s) URL"),
        ('{% button text="x" %}', "needs a link and a text"),
        ('{% versionlink repo="moon" %}', "repo 'moon' is not one of data, website"),
        ('{% news limit="500" %}', "limit '500' is not a number from 1 to 20"),
        ('{% note colour="red" %}\nx\n{% endnote %}', "unknown parameter 'colour'"),
        ('{% image "nowhere.png" %}', "image 'nowhere.png' is not in the image library"),
        ('{% index filters="maybe" %}', "filters 'maybe' is not show or hide"),
    ],
)
def test_bad_embed_parameters_are_problems(db, body, problem):
    rendered = render_markdown(body, preview=True)
    assert rendered.problems and problem in rendered.problems[0], rendered.problems
    assert "javascript:" not in str(render_markdown(body).html)


def test_convert_body_needs_no_site(db):
    assert convert_body("::note\nHello\n::") == "{% note %}\nHello\n{% endnote %}"
