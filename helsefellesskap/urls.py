from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("konto/", include("helsefellesskap.accounts.urls")),
    path("", include("helsefellesskap.actionplan.urls")),
    path("", include("helsefellesskap.deviations.urls")),
    path("", include("helsefellesskap.cases.urls")),
    path("", include("helsefellesskap.annualwheel.urls")),
    path("", include("helsefellesskap.organisation.urls")),
]
