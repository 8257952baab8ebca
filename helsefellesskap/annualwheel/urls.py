from django.urls import path

from . import feeds, views

app_name = "annualwheel"
W = "<slug:slug>/arshjul/"
urlpatterns = [
    path(W, views.wheel_page, name="wheel"),
    path(W + "liste/", views.event_list, name="list"),
    path(W + "regler/", views.rules_page, name="rules"),
    path(W + "regler/<int:pk>/endre/", views.rule_edit, name="rule_edit"),
    path(W + "regler/<int:pk>/slett/", views.rule_delete, name="rule_delete"),
    path(W + "regler/lag-forslag/", views.generate, name="generate"),
    path(W + "forslag/bekreft-alle/", views.confirm_all, name="confirm_all"),
    path(W + "hendelser/ny/", views.event_form, name="event_create"),
    path(W + "hendelser/<int:pk>/endre/", views.event_form, name="event_edit"),
    path(W + "hendelser/<int:pk>/bekreft/", views.event_confirm, name="event_confirm"),
    path(W + "hendelser/<int:pk>/slett/", views.event_delete, name="event_delete"),
    path(W + "min-kalender/", views.my_calendar, name="my_calendar"),
    path(W + "min-kalender/ny-adresse/", views.my_calendar_reset, name="my_calendar_reset"),
    path(W + "kalender.ics", feeds.community_feed, name="community_feed"),
    path("<slug:slug>/organer/<slug:body_slug>/kalender.ics", feeds.body_feed, name="body_feed"),
    path("kalender/<str:token>.ics", feeds.personal_feed, name="personal_feed"),
]
