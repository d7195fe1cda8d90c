"""`setup_roles`: the three groups with exactly their permissions; running it again changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from curation import roles

pytestmark = pytest.mark.django_db


def _granted():
    return {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_setup_roles_creates_the_groups_with_their_permissions_and_is_idempotent(capsys):
    call_command("setup_roles")
    out = capsys.readouterr().out
    granted = _granted()
    assert sorted(granted) == ["Curator", "Editor", "Reviewer"]
    for role, perms in roles.ROLE_PERMISSIONS.items():
        assert granted[role] == sorted(perms)
        assert f"{role}: {len(perms)} permissions" in out
    # Classifications are not the editors' business; posts are not the curators'.
    assert not any(p.endswith(("_aimodel", "_organisation", "_changerequest")) for p in granted["Editor"])
    assert "curation.publish_post" not in granted["Curator"] + granted["Reviewer"]

    call_command("setup_roles")
    assert _granted() == granted
    assert Group.objects.count() == 3


def test_setup_roles_restores_permissions_removed_by_hand():
    call_command("setup_roles", verbosity=0)
    curator = Group.objects.get(name="Curator")
    expected = sorted(curator.permissions.values_list("pk", flat=True))
    curator.permissions.clear()
    call_command("setup_roles", verbosity=0)
    assert sorted(curator.permissions.values_list("pk", flat=True)) == expected
