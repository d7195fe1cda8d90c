"""Fixtures shared by the review workflow's tests: one user per role, and a graded model."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def people(db, settings):
    # Hashing six passwords with the production hasher costs over a second per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth.models import AnonymousUser

    from curation import roles
    from tests.factories import UserFactory

    def user(name, role=None, **extra):
        extra.setdefault("is_staff", True)  # every role works in the admin
        return UserFactory(username=name, password="pw-" + name, role=role, **extra)

    return SimpleNamespace(
        anonymous=AnonymousUser(),
        curator=user("curator", roles.CURATOR),
        curator2=user("curator2", roles.CURATOR),
        reviewer=user("reviewer", roles.REVIEWER),
        reviewer2=user("reviewer2", roles.REVIEWER),
        editor=user("editor", roles.EDITOR),
        superuser=user("root", is_superuser=True, is_staff=True),
    )


@pytest.fixture
def graded_model(make_ai_model):
    """A public text model, every active dimension closed except `weights_endmodel` partial."""
    return make_ai_model("Graded Model", grades={"weights_endmodel": "partial"})


def grade_of(model, ref):
    from curation.models import Assessment

    return Assessment.objects.get(ai_model=model, dimension__ref=ref).grade


def new_grade(grade, link="https://example.org/evidence", notes=""):
    return {"grade": grade, "links": [link] if link else [], "notes": notes}


def admin_form_data(response) -> dict:
    """The POST data an unchanged admin change form would submit, read from its GET response."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        elif not isinstance(value, str):
            value = str(value)
        data[name] = value
    return data
