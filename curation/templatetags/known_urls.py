"""`{% url %}` with the addresses of views without arguments remembered in the process.

A page of the site names a score of fixed addresses (menu, footer, download links, forms);
reversing each one anew cost a page of the index that missed the page cache most of a
millisecond. An address with no arguments depends only on the view's name, the URLconf, the
script prefix and the namespace instance of the request (all part of the key), so it is
reversed once per process; an address with arguments is reversed as Django does.
Loaded as a builtin (settings.TEMPLATES), so it stands in for Django's own `{% url %}` in
every template, with the same syntax and output.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode, url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# (view name, namespace instance, URLconf, script prefix) -> address; a few dozen entries.
_known: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting: str, **_kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _known.clear()


class KnownURLNode(URLNode):
    """Django's URLNode, answering an address without arguments from `_known`."""

    def render(self, context):
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        key = (view_name, current_app, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        url = _known.get(key)
        if url is None:
            try:
                url = _known[key] = reverse(view_name, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
                url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same syntax and output); see the module's docstring."""
    node = django_url(parser, token)
    return KnownURLNode(node.view_name, node.args, node.kwargs, node.asvar)
