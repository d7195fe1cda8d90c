"""`{% url %}` with each address worked out once per process (a template builtin: see TEMPLATES in
the settings, which list this library after Django's own, so its `url` replaces theirs).

Django's tag asks the URL resolver on every render: about 35 µs a tag, 24 tags on a page of the
index, a tenth of what a page that misses the page cache costs to render. Addresses depend only
on the view name, the arguments, the current application, the script prefix and the URL
configuration, all part of the key here; arguments other than text and whole numbers (model
instances, lazy objects) are not kept, and neither are failures. Same markup as Django's tag.
"""

from __future__ import annotations

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode, url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Enough for the fixed addresses of every page and the model pages of a busy while.
KEPT_ADDRESSES = 4096


@functools.lru_cache(maxsize=KEPT_ADDRESSES)
def _address(view_name: str, args: tuple, kwargs: tuple, current_app, script_prefix: str, urlconf) -> str:
    """`reverse` of the key's parts; `script_prefix` and `urlconf` are only part of the key (reverse
    reads both itself)."""
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget_addresses(*, setting: str, **_kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _address.cache_clear()


def _keepable(value) -> bool:
    # Text (a template's literals are safe strings) and whole numbers; not bools, models or lazy text.
    return isinstance(value, str) or type(value) is int


class KnownURLNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if _keepable(view_name) and all(map(_keepable, args)) and all(map(_keepable, kwargs.values())):
                key_kwargs = tuple(sorted(kwargs.items()))
                url = _address(view_name, tuple(args), key_kwargs, current_app, get_script_prefix(), get_urlconf())
            else:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same arguments and output), its addresses kept per process."""
    node = django_url(parser, token)
    return KnownURLNode(node.view_name, node.args, node.kwargs, node.asvar)
