"""The site's roles as Django groups, and what each may do.

`setup_roles` (the command) calls `ensure_roles`; it is idempotent and re-run on every deploy.
Services check roles through the helpers below, so permissions hold whatever the entry point.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

CURATOR = "Curator"
REVIEWER = "Reviewer"
EDITOR = "Editor"

# Model permissions (app_label.codename) per group. Curators and reviewers may view and
# change the catalogue through the admin; changes to classified fields still go through review.
_CATALOGUE_VIEW = [
    "curation.view_aimodel",
    "curation.view_organisation",
    "curation.view_assessment",
    "curation.view_dimension",
    "curation.view_dimensioncategory",
]
_CATALOGUE_EDIT = [
    "curation.add_aimodel",
    "curation.change_aimodel",
    "curation.add_organisation",
    "curation.change_organisation",
    "curation.add_assessment",
    "curation.change_assessment",
]

# The review queue and history are read in the admin; every transition goes through
# curation.review.services, which checks the role itself.
_REVIEW_VIEW = [
    "curation.view_changerequest",
    "curation.view_reviewevent",
    "curation.view_historyentry",
    "curation.view_importrun",
]

# The public list of models considered and declined (curation.not_included), kept by curators.
_NOT_INCLUDED = [
    "curation.view_declinedcandidate",
    "curation.add_declinedcandidate",
    "curation.change_declinedcandidate",
    "curation.delete_declinedcandidate",
]

# Data releases: made by curators and reviewers (curation.releases checks the permission), then
# only their notes change.
_RELEASES = [
    "curation.view_datarelease",
    "curation.add_datarelease",
    "curation.change_datarelease",
    "curation.publish_datarelease",
    "curation.view_datareleasefile",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CURATOR: _CATALOGUE_VIEW + _CATALOGUE_EDIT + _REVIEW_VIEW + _NOT_INCLUDED + _RELEASES,
    REVIEWER: _CATALOGUE_VIEW + _CATALOGUE_EDIT + _REVIEW_VIEW + _NOT_INCLUDED + _RELEASES,
    # Editors write news and guides and are the only role that publishes them. They have no
    # access to classifications; they find models to embed on the public index.
    EDITOR: [
        "curation.view_post",
        "curation.add_post",
        "curation.change_post",
        "curation.delete_post",
        "curation.publish_post",
        "curation.view_postrevision",
        "curation.view_posttag",
        "curation.add_posttag",
        "curation.change_posttag",
        "curation.view_poststatuschange",
        # The image library, and the menu, footer, title templates and logos of the whole site.
        "curation.view_image",
        "curation.add_image",
        "curation.change_image",
        "curation.delete_image",
        "curation.view_imagerendition",
        "curation.view_sitesettings",
        "curation.change_sitesettings",
        "curation.view_menuitem",
        "curation.add_menuitem",
        "curation.change_menuitem",
        "curation.delete_menuitem",
        "curation.view_sitelogo",
        "curation.add_sitelogo",
        "curation.change_sitelogo",
        "curation.delete_sitelogo",
    ],
}


@transaction.atomic
def ensure_roles() -> dict[str, int]:
    """Create the groups and set exactly their permissions. Returns permission counts."""
    app_labels = {perm.split(".", 1)[0] for perms in ROLE_PERMISSIONS.values() for perm in perms}
    existing = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(content_type__app_label__in=app_labels).select_related("content_type")
    }
    counts = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        missing = [perm for perm in perms if perm not in existing]
        if missing:
            raise LookupError(f"permission {missing[0]} does not exist (are migrations applied?)")
        wanted = [existing[perm] for perm in perms]
        group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def has_role(user, role: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def is_curator(user) -> bool:
    return has_role(user, CURATOR) or has_role(user, REVIEWER)


def is_reviewer(user) -> bool:
    return has_role(user, REVIEWER)


def is_editor(user) -> bool:
    return has_role(user, EDITOR)
