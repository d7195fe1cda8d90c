"""The admin as curators and reviewers use it: proposing through the model form, the queue,
deciding singly and in bulk, drafts, the index panel and read-only history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from curation.models import AIModel, ChangeRequest, HistoryEntry
from curation.review import services

from .review_fixtures import admin_form_data, grade_of

pytestmark = pytest.mark.django_db
WEIGHTS = "assessment:weights_endmodel"


def change_url(model):
    return reverse("admin:curation_aimodel_change", args=[model.pk])


def decide_url(cr):
    return reverse("admin:curation_changerequest_decide", args=[cr.pk])


def post_grade_change(client, model, grade="open", follow=False, **extra):
    data = admin_form_data(client.get(change_url(model)))
    data.update({"grade__weights_endmodel": grade, "links__weights_endmodel": "https://example.org/hub"})
    data.update(extra)
    return client.post(change_url(model), data, follow=follow)


def test_the_model_form_groups_every_applicable_dimension_with_its_criteria(client, people, graded_model):
    client.force_login(people.curator)
    response = client.get(change_url(graded_model))
    assert response.status_code == 200
    form = response.context["adminform"].form
    from curation.models import Dimension

    expected = {d.ref for d in Dimension.objects.filter(is_active=True) if "text" in d.applicable_type_list}
    assert {name.split("__", 1)[1] for name in form.fields if name.startswith("grade__")} == expected
    assert "Openness: Availability" in response.content.decode()
    assert "End model weights are shared." in form.fields["grade__weights_endmodel"].help_text
    assert form["grade__weights_endmodel"].value() == "partial"


def test_a_curators_grade_change_becomes_a_proposal(client, people, graded_model):
    client.force_login(people.curator)
    response = post_grade_change(client, graded_model, rationale="Hub page lists the weights")
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert grade_of(graded_model, "weights_endmodel") == "partial"
    cr = ChangeRequest.objects.get()
    assert (cr.field, cr.after["grade"], cr.evidence_link, cr.proposer) == (
        WEIGHTS,
        "open",
        "https://example.org/hub",
        people.curator,
    )
    page = client.get(response["Location"]).content.decode()
    assert "proposed for review" in page and "changed successfully" not in page


def test_the_form_requires_a_rationale_and_evidence_for_a_grade(client, people, graded_model):
    client.force_login(people.curator)
    response = post_grade_change(client, graded_model, rationale="")
    assert response.status_code == 200
    assert "Give a rationale" in str(response.context["adminform"].form.errors["rationale"])
    data = admin_form_data(client.get(change_url(graded_model)))
    data.update({"grade__weights_endmodel": "open", "rationale": "because"})
    response = client.post(change_url(graded_model), data)
    assert "needs an evidence link" in str(response.context["adminform"].form.errors["evidence_link"])
    assert not ChangeRequest.objects.exists()


def test_unclassified_details_save_directly_with_history(client, people, graded_model):
    client.force_login(people.curator)
    data = admin_form_data(client.get(change_url(graded_model)))
    data["notes"] = "Released with a model card."
    assert client.post(change_url(graded_model), data).status_code == 302
    graded_model.refresh_from_db()
    assert graded_model.notes == "Released with a model card."
    assert not ChangeRequest.objects.exists()
    assert HistoryEntry.objects.get().field == "details"


def test_a_reviewer_approves_from_the_queue_and_history_shows_it(client, people, graded_model):
    client.force_login(people.curator)
    post_grade_change(client, graded_model, rationale="Hub page lists the weights")
    cr = ChangeRequest.objects.get()
    client.force_login(people.reviewer)
    queue = client.get(reverse("admin:curation_changerequest_changelist") + "?for_me=awaiting")
    assert f"#{cr.pk}" in queue.content.decode() and "Partial → ✔ Open" in queue.content.decode()
    page = client.get(reverse("admin:curation_changerequest_change", args=[cr.pk])).content.decode()
    assert "Approve and apply" in page and "Withdraw" not in page
    response = client.post(decide_url(cr), {"action": "approve", "comment": "Verified"})
    assert response.status_code == 302
    assert grade_of(graded_model, "weights_endmodel") == "open"
    history = client.get(change_url(graded_model)).content.decode()
    assert "End User Model Weights" in history and "curator" in history and "reviewer" in history


def test_stale_approvals_show_the_reason_and_renewal_is_offered(client, people, graded_model):
    cr = services.propose(graded_model, "performance_class", "latest", user=people.curator, rationale="r")
    services.edit_directly(graded_model, "performance_class", "full", user=people.superuser, rationale="r")
    client.force_login(people.reviewer)
    response = client.post(decide_url(cr), {"action": "approve"}, follow=True)
    assert "is stale" in response.content.decode()
    cr.refresh_from_db()
    assert cr.state == "stale"
    client.force_login(people.curator)
    page = client.get(reverse("admin:curation_changerequest_change", args=[cr.pk])).content.decode()
    assert "Renew on the current value" in page
    client.post(decide_url(cr), {"action": "renew"})
    cr.refresh_from_db()
    assert (cr.state, cr.before) == ("pending", "full")


def test_bulk_approval_and_bulk_rejection_with_a_comment(client, people, graded_model, make_ai_model):
    other = make_ai_model("Other Model")
    first = services.propose(graded_model, "performance_class", "latest", user=people.curator, rationale="r")
    second = services.propose(other, "performance_class", "full", user=people.curator, rationale="r")
    own = services.propose(other, "performance_class", "limited", user=people.reviewer, rationale="r")
    changelist = reverse("admin:curation_changerequest_changelist")
    client.force_login(people.reviewer)
    response = client.post(
        changelist, {"action": "approve_selected", "_selected_action": [first.pk, own.pk]}, follow=True
    )
    text = response.content.decode()
    assert "Approved and applied 1 change request" in text and f"#{own.pk} not approved" in text
    graded_model.refresh_from_db()
    assert graded_model.performance_class == "latest"

    ask = client.post(changelist, {"action": "reject_selected", "_selected_action": [second.pk]})
    assert "comment" in ask.content.decode() and ask.status_code == 200
    client.post(
        changelist,
        {
            "action": "reject_selected",
            "_selected_action": [second.pk],
            "apply": "1",
            "comment": "Not full: see the paper",
        },
    )
    second.refresh_from_db()
    assert (second.state, second.decision_comment) == ("rejected", "Not full: see the paper")


def test_a_curators_new_model_is_a_draft_awaiting_publication(client, people, graded_model):
    client.force_login(people.curator)
    add = reverse("admin:curation_aimodel_add")
    data = admin_form_data(client.get(add))
    data.update(
        {
            "name": "Brand New",
            "slug": "brand-new",
            "types": ["text"],
            "organisation": graded_model.organisation_id,
            "grade__weights_endmodel": "open",
            "links__weights_endmodel": "https://example.org/w",
            "rationale": "Released today",
        }
    )
    response = client.post(add, data, follow=True)
    assert "saved as a draft" in response.content.decode()
    model = AIModel.objects.get(name="Brand New")
    assert model.is_public is False and grade_of(model, "weights_endmodel") == "open"
    publication = ChangeRequest.objects.get(ai_model=model)
    assert (publication.field, publication.rationale) == ("is_public", "Released today")


def test_the_admin_index_shows_the_review_panel_counts(client, people, graded_model):
    services.propose(graded_model, "performance_class", "latest", user=people.curator, rationale="r")
    services.propose(graded_model, "performance_class", "full", user=people.reviewer, rationale="r")
    client.force_login(people.reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Awaiting your review" in page and "Your open proposals" in page
    panel = page[page.index('id="review-panel"') :]
    assert "<td>1</td>" in panel[: panel.index("</table>")]
    client.force_login(people.editor)
    assert 'id="review-panel"' not in client.get(reverse("admin:index")).content.decode()


def test_list_views_filter_by_grade_and_show_category_scores(client, people, graded_model, make_ai_model):
    make_ai_model("Closed Model")
    client.force_login(people.reviewer)
    url = reverse("admin:curation_aimodel_changelist")
    page = client.get(url + "?grade_weights_endmodel=partial&o=5").content.decode()
    assert "Graded Model" in page and "Closed Model" not in page
    assert "Availability" in page  # a category score column


def _listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return sorted(str(obj) for obj in response.context["cl"].result_list)


def test_list_views_filter_by_every_classification(client, people, make_ai_model, make_organisation):
    """Each admin list filter narrows the list to the matching rows, for models and organisations."""
    university = make_organisation(
        "Paris University",
        country="FR",
        sector="academic",
        contributor_kind="university",
        classification_status="needs_review",
    )
    tiger = make_organisation("Tiger Lab", country="CN", big_tech_bloc="chinese_ai_tiger")
    make_organisation("Idle Org", country="DE", big_tech_bloc="european_big_tech")
    make_ai_model("Paris Text", organisation=university, performance_class="latest", types="text")
    make_ai_model("Tiger Image", organisation=tiger, performance_class="full", types="image")
    make_ai_model("Tiger Code", organisation=tiger, types="code")
    client.force_login(people.reviewer)
    models = reverse("admin:curation_aimodel_changelist")
    assert _listed(client, models) == ["Paris Text", "Tiger Code", "Tiger Image"]
    assert _listed(client, models + "?type=image") == ["Tiger Image"]
    assert _listed(client, models + "?performance_class=latest") == ["Paris Text"]
    assert _listed(client, models + "?organisation_sector=academic") == ["Paris Text"]
    assert _listed(client, models + "?organisation_big_tech_bloc=chinese_ai_tiger") == ["Tiger Code", "Tiger Image"]
    assert _listed(client, models + "?country=FR") == ["Paris Text"]
    assert _listed(client, models + "?organisation_region=east_asia") == ["Tiger Code", "Tiger Image"]
    assert _listed(client, models + "?organisation_classification_status=needs_review") == ["Paris Text"]
    assert _listed(client, models + "?q=Tiger") == ["Tiger Code", "Tiger Image"]
    organisations = reverse("admin:curation_organisation_changelist")
    assert _listed(client, organisations + "?big_tech_bloc=european_big_tech") == ["Idle Org"]
    assert _listed(client, organisations + "?sector=academic") == ["Paris University"]
    assert _listed(client, organisations + "?region=europe") == ["Idle Org", "Paris University"]
    assert _listed(client, organisations + "?classification_status=needs_review") == ["Paris University"]
    assert _listed(client, organisations + "?q=tiger") == ["Tiger Lab"]


def test_history_cannot_be_changed_or_deleted_through_the_admin(client, people, graded_model):
    entry = services.edit_directly(graded_model, "performance_class", "latest", user=people.superuser, rationale="r")
    client.force_login(people.superuser)
    delete = reverse("admin:curation_historyentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        client.post(reverse("admin:curation_historyentry_change", args=[entry.pk]), {"rationale": "x"}).status_code
        == 403
    )
    assert HistoryEntry.objects.get(pk=entry.pk).rationale == "r"


def test_an_organisation_classification_change_is_proposed_then_applied(client, people, make_organisation):
    organisation = make_organisation("Mistral-like", country="US")
    url = reverse("admin:curation_organisation_change", args=[organisation.pk])
    client.force_login(people.curator)
    data = admin_form_data(client.get(url))
    data.update({"country": "FR", "big_tech_bloc": "european_big_tech", "rationale": "Headquarters in Paris"})
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.country.code, organisation.big_tech_bloc) == ("US", "none")
    fields = sorted(ChangeRequest.objects.values_list("field", flat=True))
    assert fields == ["contributor_type", "national_origin"]
    client.force_login(people.reviewer)
    applied, refused = services.approve_many(ChangeRequest.objects.all(), people.reviewer)
    assert len(applied) == 2 and not refused
    organisation.refresh_from_db()
    assert (organisation.region, organisation.big_tech_bloc) == ("europe", "european_big_tech")
    page = client.get(url).content.decode()
    history_field = page[page.index('class="form-row field-history"') :]
    assert "national origin" in history_field and "contributor type" in history_field
    history = client.get(
        reverse("admin:curation_historyentry_changelist") + f"?organisation__id__exact={organisation.pk}"
    )
    assert history.status_code == 200 and history.content.decode().count("Mistral-like") >= 2


def test_a_superuser_saving_the_form_applies_the_change_and_records_it(client, people, graded_model):
    client.force_login(people.superuser)
    response = post_grade_change(client, graded_model, rationale="Verified myself")
    assert response.status_code == 302
    assert grade_of(graded_model, "weights_endmodel") == "open"
    entry = HistoryEntry.objects.get(field=WEIGHTS)
    assert (entry.proposer, entry.approver, entry.change_request) == (people.superuser, people.superuser, None)
    assert not ChangeRequest.objects.exists()


def test_deleting_through_the_admin_is_for_superusers_and_recorded(client, people, graded_model):
    delete = reverse("admin:curation_aimodel_delete", args=[graded_model.pk])
    client.force_login(people.reviewer)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.force_login(people.superuser)
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not AIModel.objects.filter(pk=graded_model.pk).exists()
    assert HistoryEntry.objects.get(field="deleted").target_label == "Graded Model"


def test_a_curators_new_organisation_is_a_draft_and_hides_its_models(client, people, make_ai_model):
    client.force_login(people.curator)
    add = reverse("admin:curation_organisation_add")
    data = admin_form_data(client.get(add))
    data.update(
        {
            "name": "New Lab",
            "slug": "new-lab",
            "origin_scope": "country",
            "country": "NL",
            "sector": "academic",
            "contributor_kind": "university",
            "big_tech_bloc": "none",
            "rationale": "A university lab",
        }
    )
    assert "saved as a draft" in client.post(add, data, follow=True).content.decode()
    from curation.models import Organisation

    lab = Organisation.objects.get(name="New Lab")
    model = make_ai_model("Lab Model", organisation=lab)
    assert not Organisation.objects.public().filter(pk=lab.pk).exists()
    assert not AIModel.objects.public().filter(pk=model.pk).exists()
    services.approve(ChangeRequest.objects.get(organisation=lab, field="is_public"), people.reviewer)
    assert AIModel.objects.public().filter(pk=model.pk).exists()


def test_a_refused_save_says_so_and_writes_nothing(client, people, graded_model, monkeypatch):
    from curation.review.errors import StaleProposal

    def refuse(*args, **kwargs):
        raise StaleProposal("performance class changed meanwhile")

    monkeypatch.setattr(services, "save_entry", refuse)
    client.force_login(people.curator)
    response = post_grade_change(client, graded_model, rationale="r", follow=True)
    text = response.content.decode()
    assert "Nothing was saved: performance class changed meanwhile" in text
    assert "changed successfully" not in text
    assert grade_of(graded_model, "weights_endmodel") == "partial"


def test_the_national_origin_filter_lists_each_country_once(client, people, make_organisation):
    make_organisation("Lab A", country="CN")
    make_organisation("Lab B", country="CN")
    client.force_login(people.reviewer)
    response = client.get(reverse("admin:curation_aimodel_changelist"))
    country_filter = next(
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", None) == "country"
    )
    assert [title for code, title in country_filter.lookup_choices].count("China") == 1


def test_registry_texts_are_edited_by_superusers_and_its_structure_is_read_only(client, people, registry):
    from curation.models import DataChange, Dimension

    weights = Dimension.objects.get(ref="weights_endmodel")
    types_before = weights.applicable_types
    url = reverse("admin:curation_dimension_change", args=[weights.pk])
    client.force_login(people.reviewer)  # curators and reviewers only read the registry
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    client.force_login(people.superuser)
    form = client.get(url).context["adminform"].form
    assert "applicable_types" not in form.fields and "is_active" not in form.fields
    outbox = DataChange.objects.count()
    response = client.post(
        url,
        {
            "name": "Model weights",
            "description": "d",
            "criteria_open": "o",
            "criteria_partial": "p",
            "criteria_closed": "c",
            "applicable_types": "audio",
        },
    )
    assert response.status_code == 302
    weights.refresh_from_db()
    assert (weights.name, weights.applicable_types) == ("Model weights", types_before)
    assert DataChange.objects.count() == outbox + 1


def test_a_model_without_types_can_be_saved_without_proposing_types(client, people, make_ai_model):
    untyped = make_ai_model("Untyped", types="")
    client.force_login(people.curator)
    url = change_url(untyped)
    data = admin_form_data(client.get(url))
    data["notes"] = "Type not yet known."
    assert client.post(url, data).status_code == 302
    assert not ChangeRequest.objects.exists()
    page = client.get(reverse("admin:curation_organisation_changelist")).content.decode()
    assert "Mean model score" in page


def test_the_queue_shows_the_state_early_and_filters_fields_by_their_names(client, people, graded_model):
    from curation.models import Dimension

    client.force_login(people.curator)
    post_grade_change(client, graded_model, rationale="Hub page lists the weights")
    client.force_login(people.reviewer)
    changelist = reverse("admin:curation_changerequest_changelist")
    response = client.get(changelist)
    columns = list(response.context["cl"].list_display)
    assert columns.index("state") < columns.index("change") < columns.index("submitted_at")
    field_filter = next(f for f in response.context["cl"].filter_specs if f.title == "field")
    choices = {choice["display"] for choice in field_filter.choices(response.context["cl"])}
    name = Dimension.objects.get(ref="weights_endmodel").name
    assert name in choices and WEIGHTS not in choices
    page = response.content.decode()
    assert f">{name}</a>" in page and f">{WEIGHTS}</a>" not in page
    filtered = client.get(changelist + f"?field__exact={WEIGHTS}")
    assert filtered.context["cl"].result_count == 1
    assert client.get(changelist + "?field__exact=assessment:paper").context["cl"].result_count == 0
