"""Logins are throttled per real client address; a password change revokes API tokens; tokens expire."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from curation.client_address import client_address

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_counters(clean_api_cache):
    from django.core.cache import cache

    def forget():
        clean_api_cache()
        cache.delete_many([f"throttle_token_{a}" for a in ("10.0.0.1", "10.0.0.2", "203.0.113.7", "203.0.113.8")])

    forget()
    yield
    forget()


def forged(n: int) -> str:
    return f"198.51.100.{n}, 192.0.2.{n}"


class FakeRequest:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}


def test_the_client_address_trusts_only_the_sites_proxies(settings):
    settings.OSAI_TRUSTED_PROXIES = 0
    assert client_address(FakeRequest("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    settings.OSAI_TRUSTED_PROXIES = 1
    # The client wrote "1.2.3.4"; our one proxy appended the address it saw.
    assert client_address(FakeRequest("10.0.0.1", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_address(FakeRequest("10.0.0.1")) == "10.0.0.1"
    settings.OSAI_TRUSTED_PROXIES = 2
    assert client_address(FakeRequest("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"


def test_the_token_endpoint_is_throttled_per_address_whatever_x_forwarded_for_says(people, settings):
    """Before: DRF read the whole X-Forwarded-For as the address, so a new forged value each time
    gave unlimited password guesses."""
    settings.AXES_ENABLED = False  # the token endpoint's own throttle, alone
    api = APIClient()
    answers = [
        api.post(
            TOKEN_URL, {"username": "curator", "password": f"guess-{i}"}, format="json", HTTP_X_FORWARDED_FOR=forged(i)
        ).status_code
        for i in range(12)
    ]
    assert answers[:10] == [400] * 10
    assert answers[10:] == [429, 429]


def test_behind_a_proxy_each_real_client_has_its_own_count(people, settings):
    settings.AXES_ENABLED = False
    settings.OSAI_TRUSTED_PROXIES = 1
    api = APIClient()

    def attempt(client_ip, forged_part="1.2.3.4"):
        return api.post(
            TOKEN_URL,
            {"username": "curator", "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{forged_part}, {client_ip}",
        ).status_code

    assert [attempt("203.0.113.7", f"9.9.9.{i}") for i in range(11)][-1] == 429
    assert attempt("203.0.113.8") == 400  # another client behind the same proxy is not limited


def admin_login(client, password, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post("/admin/login/?next=/admin/", {"username": "curator", "password": password}, **extra)


def test_admin_logins_lock_out_an_address_after_five_failures(people, settings):
    """Before: the admin login accepted guesses without limit."""
    client = Client()
    failures = [admin_login(client, f"guess-{i}", forwarded=forged(i)).status_code for i in range(5)]
    assert failures == [200] * 4 + [429]  # the form again with its error; the fifth failure locks
    locked = admin_login(client, "pw-curator", forwarded=forged(99))
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    # The token endpoint shares the lockout: the same address gets no token either.
    refused = APIClient().post(TOKEN_URL, {"username": "curator", "password": "pw-curator"}, format="json")
    assert refused.status_code == 429 and "locked for 15 minutes" in refused.json()["message"]
    assert not Token.objects.filter(user=people.curator).exists()


def test_a_successful_admin_login_still_works(people):
    response = admin_login(Client(), "pw-curator")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def token_for(user, password):
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(token):
    return APIClient().get("/api/v1/change-requests/", HTTP_AUTHORIZATION=f"Token {token}")


def test_changing_a_password_revokes_the_users_api_tokens(people):
    """Before: a token taken with a leaked password kept working after the password was changed."""
    token = token_for(people.curator, "pw-curator")
    other = token_for(people.reviewer, "pw-reviewer")
    assert me(token).status_code == 200

    people.curator.set_password("a-new-password-for-the-curator")
    people.curator.save()

    assert me(token).status_code == 401
    assert me(other).status_code == 200
    assert token_for(people.curator, "a-new-password-for-the-curator") != token


def test_the_admins_password_form_revokes_tokens_too(people):
    token = token_for(people.curator, "pw-curator")
    admin = Client()
    admin.force_login(people.superuser)
    response = admin.post(
        f"/admin/auth/user/{people.curator.pk}/password/",
        {
            "password1": "changed-by-an-administrator",
            "password2": "changed-by-an-administrator",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert me(token).status_code == 401


def test_tokens_expire(people, settings):
    settings.OSAI_API_TOKEN_MAX_AGE_DAYS = 30
    token = token_for(people.curator, "pw-curator")
    Token.objects.filter(key=token).update(created=Token.objects.get(key=token).created - datetime.timedelta(days=31))
    refused = me(token)
    assert refused.status_code == 401
    assert "expired" in refused.json()["message"] and "30 days" in refused.json()["message"]
    fresh = token_for(people.curator, "pw-curator")
    assert fresh != token and me(fresh).status_code == 200


def test_an_expired_token_is_replaced_when_asked_for(people):
    token = token_for(people.curator, "pw-curator")
    Token.objects.filter(key=token).update(created=Token.objects.get(key=token).created - datetime.timedelta(days=400))
    assert token_for(people.curator, "pw-curator") != token
