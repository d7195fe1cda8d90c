"""`{% load charts %}{% chart_figure "academic-share" %}`: an accessible figure for editors' posts."""

from django import template

from curation.charts.published import get_chart

register = template.Library()


@register.inclusion_tag("curation/charts/figure.html")
def chart_figure(key, caption=""):
    """The newest version of a chart as <figure>; a quiet placeholder for an unknown key."""
    return {"key": key, "chart": get_chart(str(key)), "caption": caption}
