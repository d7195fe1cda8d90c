"""Test data for the main models (factory-boy).

    UserFactory(role=roles.CURATOR)               an account in one role's group
    OrganisationFactory(country="FR")             a classified organisation (a US company unless told)
    AIModelFactory(grades={"licenses": "open"})   a public text model with every active dimension
                                                  graded (closed unless named) and its scores stored

Factories write to the database: tests using them need the `db` fixture (or django_db mark).
"""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from curation import roles, vocab
from curation.assessments import recompute_scores
from curation.models import AIModel, Assessment, Dimension, Organisation
from curation.registry import load_registry


class UserFactory(DjangoModelFactory):
    """An account; `role` (a group name from curation.roles) puts it in that role's group.

    Accounts made here have no usable password unless one is given (tests log in with
    force_login), which keeps them fast: password hashing is deliberately slow."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            roles.ensure_roles()
            user.groups.add(Group.objects.get(name=extracted))


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    origin_scope = vocab.OriginScope.COUNTRY
    country = "US"
    sector = vocab.Sector.NON_ACADEMIC
    contributor_kind = vocab.ContributorKind.COMPANY
    big_tech_bloc = vocab.BigTechBloc.NONE
    classification_status = vocab.ClassificationStatus.CLASSIFIED


class AIModelFactory(DjangoModelFactory):
    """A model of a new organisation, graded on every active dimension of the registry (loaded
    when the database has none): `grades` {dimension ref: grade}, the others closed. Its category
    and total scores are stored, as an import or an approved review would."""

    class Meta:
        model = AIModel
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Model {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    types = "text"

    @factory.post_generation
    def grades(model, create, extracted, **kwargs):
        if not create:
            return
        if not Dimension.objects.exists():
            load_registry()
        wanted = extracted or {}
        Assessment.objects.bulk_create(
            Assessment(ai_model=model, dimension=dimension, grade=wanted.get(dimension.ref, vocab.Grade.CLOSED))
            for dimension in Dimension.objects.filter(is_active=True)
        )
        recompute_scores([model])
        model.refresh_from_db()
