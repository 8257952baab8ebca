"""The statistics pages of the deviation routine. Included first in `deviations/urls.py`, before
the catch-all `<slug:slug>/avvik/<str:number>/`, as `stats_urlpatterns + [...]`."""

from django.urls import path

from . import stats_views

D = "<slug:slug>/avvik/"
urlpatterns = [
    path(D + "statistikk/", stats_views.statistics, name="statistics"),
    path(D + "arsrapport/<int:year>.pdf", stats_views.annual_report_pdf, name="annual_report"),
    path(D + "eksport.csv", stats_views.export_csv, name="export_csv"),
]
