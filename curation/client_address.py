"""The address of the client that sent a request, as far as this site can trust it.

Behind `OSAI_TRUSTED_PROXIES` reverse proxies (0: none, the site faces clients directly), each
proxy appends the address it received the request from to `X-Forwarded-For`; only those last
entries are written by our proxies, everything before them by the client, who can write anything.
So the client is the entry the outermost trusted proxy appended: the n-th from the end. With no
trusted proxy the header is ignored and the socket's address (`REMOTE_ADDR`) counts.

Login throttles (django-axes for the admin, the API's token endpoint) and the API's anonymous
throttle all count per this address, so a forged `X-Forwarded-For` changes nothing.
"""

from __future__ import annotations

from curation.conf import app_settings


def trusted_proxies() -> int:
    """How many reverse proxies stand in front of the site (OSAI_TRUSTED_PROXIES; 0: none)."""
    return int(app_settings.OSAI_TRUSTED_PROXIES or 0)


def client_address(request) -> str:
    """The client's address (a string; "" only if the server gave none)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = trusted_proxies()
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return forwarded[-proxies]
