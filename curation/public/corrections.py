"""Readers correcting the index: the suggestion form of each model and the list of models
considered and not included.

The model page itself stays page-cached: it links to the form at /models/<slug>/suggest/, which
is rendered afresh for each reader (it carries a CSRF token) and never cached, and posts there.
An accepted suggestion becomes a pending change request (curation.review.suggestions); the reader
is redirected to a confirmation page. Suggestions stored (and honeypot hits) are limited per
address (OSAI_SUGGESTION_RATE); a form sent back for corrections counts for nothing. A honeypot
field that people never see catches simple bots without telling them.
"""

from __future__ import annotations

import logging
from typing import cast

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from curation import not_included
from curation.editorial.queries import page_url
from curation.models import AIModel
from curation.public import rate_limits
from curation.public.caching import cache_public_page
from curation.review.errors import ValidationFailed
from curation.review.suggestions import (
    MAX_COMMENT_LENGTH,
    suggest_from_public,
    suggestable_fields,
)

log = logging.getLogger(__name__)

SUGGESTION_SCOPE = "suggest"
# The honeypot: a field named as bots like to fill it, hidden from people by a CSS class.
HONEYPOT_FIELD = "website"


class SuggestionForm(forms.Form):
    """What a reader sends: the grade or field, its proposed value, evidence, and optionally an
    explanation and an e-mail address. Values are checked by the service, not here, so that the
    form and the service cannot disagree."""

    field = forms.ChoiceField(label="What is wrong")
    value = forms.ChoiceField(label="What it should be")
    evidence_link = forms.CharField(
        label="Evidence link",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        help_text="A page where a reviewer can check this: a licence, a paper, a repository, a model card.",
    )
    comment = forms.CharField(
        label="Explanation (optional)",
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Reviewers read it; if the correction is accepted, the model's public changelog shows it.",
    )
    email = forms.CharField(
        label="Your e-mail (optional)",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Only to tell you whether your suggestion was accepted; never shown or shared.",
    )
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, model: AIModel, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestable = suggestable_fields(model)
        groups: dict[str, list] = {}
        values: dict[str, list] = {}
        for item in self.suggestable:
            groups.setdefault(item.group, []).append((item.name, item.label))
            kind = "Grade" if item.group == "Openness grades" else item.label.capitalize()
            values.setdefault(kind, list(item.values))
        cast(forms.ChoiceField, self.fields["field"]).choices = [("", "Choose a grade or field"), *groups.items()]
        cast(forms.ChoiceField, self.fields["value"]).choices = [("", "Choose a value"), *values.items()]


def _suggestable_model(slug: str) -> AIModel:
    model = AIModel.objects.public().filter(slug=slug).first()
    if model is None:
        raise Http404(f"No public model is called “{slug}”.")
    return model


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def suggest_correction(request, slug):
    """GET: the form (its `?field=` preselected); POST: check, file the suggestion, redirect."""
    model = _suggestable_model(slug)
    if request.method != "POST":
        form = SuggestionForm(model, initial={"field": request.GET.get("field", "")})
        return render(request, "curation/public/suggest_correction.html", {"model": model, "form": form})

    # Only what is kept counts against the address's limit (a stored suggestion, a honeypot hit):
    # a reader whose form comes back with a correction to make has used up nothing.
    rate = rate_limits.suggestion_rate()
    verdict = rate_limits.check_allowance(request, SUGGESTION_SCOPE, rate)
    if not verdict.allowed:
        response = render(
            request,
            "curation/public/suggest_limited.html",
            {
                "model": model,
                "verdict": verdict,
                "minutes": -(-verdict.retry_after_seconds // 60),
            },
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after_seconds)
        return response
    form = SuggestionForm(model, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data[HONEYPOT_FIELD]:
            # Answered as a success, so that a bot learns nothing; nothing is stored.
            log.info("suggestion for %s dropped: the honeypot field was filled", model.slug)
            rate_limits.count_attempt(request, SUGGESTION_SCOPE, rate)
            return redirect(reverse("curation:suggestion_sent", args=[model.slug]))
        try:
            suggest_from_public(
                model,
                data["field"],
                data["value"],
                evidence_link=data["evidence_link"],
                comment=data["comment"],
                email=data["email"],
            )
        except ValidationFailed as exc:
            message = str(exc)
            form.add_error(exc.field if exc.field in form.fields else None, message[:1].upper() + message[1:])
        else:
            rate_limits.count_attempt(request, SUGGESTION_SCOPE, rate)
            return redirect(reverse("curation:suggestion_sent", args=[model.slug]))
    return render(request, "curation/public/suggest_correction.html", {"model": model, "form": form}, status=400)


@cache_public_page
def suggestion_sent(request, slug):
    """The confirmation a reader sees after suggesting a correction."""
    return render(request, "curation/public/suggestion_sent.html", {"model": _suggestable_model(slug)})


@cache_public_page
def not_included_list(request):
    """Models considered for the index and declined, with the reason, newest decision first."""
    return render(
        request,
        "curation/public/not_included.html",
        {
            "candidates": not_included.public_declined_candidates(),
            "contribute_url": page_url("contribute"),  # how to reach the curators, where the site says it
        },
    )
