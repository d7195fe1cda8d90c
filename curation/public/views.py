"""Reader-facing views. Queries come from services; views only shape responses."""
from django.shortcuts import render

from curation.models import AIModel


def home(request):
    models = AIModel.objects.public().select_related("organisation").index_order()[:10]
    return render(request, "public/home.html", {"top_models": models})
