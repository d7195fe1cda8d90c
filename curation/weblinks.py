"""The one check for links that readers may follow: http(s) URLs, read as a browser reads them.

Every URL the index stores and shows as a link (a model's or organisation's website, evidence
links of grades and proposals) passes `is_http_url` whatever wrote it: the importer, the admin,
the API or the review services (through `curation.review.fields.check_http_url`), and the model
fields carry `http_url_validator`. Templates show a stored link only through the `http_href`
filter, so a value stored before this check existed is never a clickable script.

A URL is accepted when
- Django's `URLValidator` accepts it with the schemes http and https only, and
- a browser parses it (WHATWG URL Standard, through ada-url) as an http(s) URL with a host, and
- it holds no backslash, whitespace or control character: browsers read `\\` as `/` in the
  authority and drop tabs and newlines anywhere, so such a URL points elsewhere than it reads.
"""

from __future__ import annotations

import ada_url
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible

HTTP_SCHEMES = ("http", "https")
_django_check = URLValidator(schemes=list(HTTP_SCHEMES))


def _has_confusing_characters(value: str) -> bool:
    return "\\" in value or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)


def browser_url(value: str):
    """The URL as a browser parses it (an `ada_url.URL`), or None when it is not a URL at all."""
    try:
        return ada_url.URL(value)
    except ValueError:
        return None


def is_http_url(value) -> bool:
    """True when `value` is an http(s) URL that means the same to us and to a browser."""
    if not isinstance(value, str) or not value or _has_confusing_characters(value):
        return False
    try:
        _django_check(value)
    except ValidationError:
        return False
    parsed = browser_url(value)
    return parsed is not None and parsed.protocol in ("http:", "https:") and bool(parsed.hostname)


def is_bare_host(value) -> bool:
    """True for a host name written without a scheme (`tilde.ai`, `example.org/model`) that is an
    http(s) URL once `https://` is put in front; never for a value naming a scheme of its own."""
    if not isinstance(value, str) or not value or ":" in value.split("/", 1)[0] or value.startswith("/"):
        return False
    return "." in value.split("/", 1)[0] and is_http_url(f"https://{value}")


def is_site_link(value) -> bool:
    """True for a link a page may show: a path on this site (`/about/`, `/models/?type=text`) or an
    http(s) URL (`is_http_url`). Menus, buttons and logos take these."""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith("/") and not value.startswith("//"):
        return not _has_confusing_characters(value)
    return is_http_url(value)


@deconstructible
class HttpUrlValidator:
    """Model and form field validator: `is_http_url`, with Django's usual message and code."""

    message = "Enter an http:// or https:// URL."
    code = "invalid"

    def __call__(self, value) -> None:
        if value and not is_http_url(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other) -> bool:
        return isinstance(other, HttpUrlValidator)


http_url_validator = HttpUrlValidator()


@deconstructible
class SiteLinkValidator:
    """Model and form field validator: `is_site_link`."""

    message = "Enter a path on this site (/about/) or an http:// or https:// URL."
    code = "invalid"

    def __call__(self, value) -> None:
        if value and not is_site_link(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other) -> bool:
        return isinstance(other, SiteLinkValidator)


site_link_validator = SiteLinkValidator()
