from django.contrib import admin
from django.urls import include, path

from helsefellesskap.core.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helse/", health, name="health"),
    path("konto/", include("helsefellesskap.accounts.urls")),
    path("", include("helsefellesskap.actionplan.urls")),
    path("", include("helsefellesskap.deviations.urls")),
    path("", include("helsefellesskap.cases.urls")),
    path("", include("helsefellesskap.indicators.urls")),
    path("", include("helsefellesskap.annualwheel.urls")),
    path("", include("helsefellesskap.mail.urls")),
    path("", include("helsefellesskap.organisation.urls")),
]

handler400 = "helsefellesskap.core.errors.bad_request"
handler403 = "helsefellesskap.core.errors.permission_denied"
handler404 = "helsefellesskap.core.errors.page_not_found"
handler500 = "helsefellesskap.core.errors.server_error"
