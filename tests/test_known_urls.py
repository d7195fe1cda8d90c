"""`{% url %}` stands in for Django's own: same output, fixed addresses reversed once per process."""

import pytest
from django.template import Context, Template
from django.template.defaulttags import URLNode
from django.test import override_settings
from django.urls import NoReverseMatch

from curation.templatetags import known_urls


def test_url_is_the_remembering_tag_with_djangos_output(db, monkeypatch):
    reversed_names = []
    original = known_urls.reverse
    monkeypatch.setattr(known_urls, "reverse", lambda *a, **kw: reversed_names.append(a[0]) or original(*a, **kw))
    known_urls._known.clear()
    page = Template(
        "{% url 'curation:model_index' %}|{% url 'curation:theme' as t %}{{ t }}|"
        "{% url 'curation:model_detail' slug %}|{% url 'curation:no_such_view' as missing %}[{{ missing }}]"
    )
    assert isinstance(page.nodelist[0], known_urls.KnownURLNode) and isinstance(page.nodelist[0], URLNode)
    first = page.render(Context({"slug": "a-model"}))
    assert first == "/models/|/theme/|/models/a-model/|[]"
    assert page.render(Context({"slug": "another"})) == "/models/|/theme/|/models/another/|[]"
    # The two fixed addresses were reversed once; the one with an argument each time.
    assert reversed_names.count("curation:model_index") == 1 and reversed_names.count("curation:theme") == 1
    with pytest.raises(NoReverseMatch):
        Template("{% url 'curation:no_such_view' %}").render(Context())


def test_a_fixed_address_follows_the_script_prefix_and_the_urlconf(db):
    from django.urls import set_script_prefix

    page = Template("{% url 'curation:model_index' %}")
    try:
        set_script_prefix("/index/")
        assert page.render(Context()) == "/index/models/"
    finally:
        set_script_prefix("/")
    assert page.render(Context()) == "/models/"
    with override_settings(ROOT_URLCONF="tests.test_known_urls"), pytest.raises(NoReverseMatch):
        page.render(Context())


urlpatterns: list = []  # an URLconf without the site's addresses, for the test above
