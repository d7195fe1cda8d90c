from django.urls import path, register_converter

from curation.charts import views


class ChartFormatConverter:
    regex = "svg|png|csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ChartFormatConverter, "chartformat")

urlpatterns = [
    path("charts/", views.chart_index, name="chart_index"),
    path("charts/<slug:key>.<chartformat:fmt>", views.chart_file, name="chart_file"),
]
