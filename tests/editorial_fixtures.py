"""Fixtures of the editorial tests: one account per role, and a post factory.

tests/conftest.py registers this module as a plugin: every test may ask for its fixtures.
"""

from __future__ import annotations

import itertools

import pytest

ROLE_NAMES = ("anonymous", "reader", "curator", "reviewer", "editor", "superuser")
_numbers = itertools.count(1)


@pytest.fixture
def role_users(db):
    """{role name: user or None}: a reader has an account but no role; anonymous is None.

    Accounts have no usable password (tests log in with force_login), which keeps setup fast.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from curation import roles

    roles.ensure_roles()
    User = get_user_model()
    users = {"anonymous": None}
    users["reader"] = User.objects.create_user("reader")
    for role_name, group in (("curator", roles.CURATOR), ("reviewer", roles.REVIEWER), ("editor", roles.EDITOR)):
        user = User.objects.create_user(role_name, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        users[role_name] = user
    users["superuser"] = User.objects.create_superuser("admin", "admin@example.org")
    return users


@pytest.fixture
def editor(role_users):
    return role_users["editor"]


@pytest.fixture
def make_post(db, role_users):
    """Create a post through the service (so it has its first revision)."""
    from curation.editorial import services
    from curation.models import Post, PostKind

    def make(title=None, *, kind=PostKind.NEWS, body="Some **text**.", tags=(), user=None, **fields):
        title = title or f"Post {next(_numbers)}"
        post = Post(kind=kind, title=title, body=body, **fields)
        return services.save_post(post, user=user or role_users["editor"], tags=list(tags), comment="Created")

    return make
