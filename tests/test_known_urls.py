"""`{% url %}` with addresses kept per process (curation.templatetags.known_urls): the same output
as Django's tag, each address worked out once."""

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.urls import NoReverseMatch

from curation.templatetags import known_urls


def _django(source: str, **context) -> str:
    """The template rendered with Django's own `{% url %}` (an engine without the builtin)."""
    return Engine(builtins=[]).from_string(source).render(Context(context))


def _ours(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.fixture(autouse=True)
def _fresh():
    known_urls._address.cache_clear()
    yield
    known_urls._address.cache_clear()


@pytest.mark.parametrize(
    ("source", "context"),
    [
        ("{% url 'curation:model_index' %}", {}),
        ("{% url 'curation:model_detail' slug %}", {"slug": "olmo-7b"}),
        ("{% url 'curation:model_detail' slug=slug %}", {"slug": "olmo_7B"}),
        ("{% url 'curation:organisation_detail' org.slug %}?x", {"org": {"slug": "ai2"}}),
        ("{% url 'curation:model_detail' 'nope' 'extra' as found %}[{{ found }}]", {}),
        ("{% url name %}", {"name": "curation:model_index"}),
    ],
)
def test_the_same_output_as_djangos_tag(source, context):
    assert _ours(source, **context) == _django(source, **context)
    assert _ours(source, **context) == _django(source, **context)  # and when kept


def test_a_missing_address_fails_as_with_djangos_tag():
    with pytest.raises(NoReverseMatch):
        _ours("{% url 'curation:no_such_view' %}")
    assert known_urls._address.cache_info().currsize == 0


def test_each_address_is_worked_out_once(monkeypatch):
    calls = []
    real = known_urls.reverse

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(known_urls, "reverse", counting)
    template = Template("{% url 'curation:model_detail' slug %}")
    for _ in range(3):
        template.render(Context({"slug": "olmo-7b"}))
    template.render(Context({"slug": "pythia"}))
    assert len(calls) == 2
    # Arguments that are not plain text or numbers are resolved every time.
    lazy = type("Slug", (), {"__str__": lambda self: "olmo-7b"})()
    for _ in range(2):
        assert template.render(Context({"slug": lazy})) == "/models/olmo-7b/"
    assert len(calls) == 4


def test_a_script_prefix_is_part_of_the_address():
    from django.urls import set_script_prefix

    template = Template("{% url 'curation:model_index' %}")
    assert template.render(Context()) == "/models/"
    set_script_prefix("/index/")
    try:
        assert template.render(Context()) == "/index/models/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == "/models/"


def test_another_url_configuration_forgets_the_kept_addresses():
    Template("{% url 'curation:model_index' %}").render(Context())
    assert known_urls._address.cache_info().currsize == 1
    with override_settings(ROOT_URLCONF="osai_index.urls"):
        assert known_urls._address.cache_info().currsize == 0
