"""The dashboard, the indicator pages and the library of definitions. The definitions' pages
come before `<slug:code>/`, so that no indicator code can hide them (the services refuse such a
code)."""

from django.urls import path

from . import views

S = "<slug:slug>/styringsinformasjon/"
D = S + "definisjoner/"
urlpatterns: list = [
    path(S, views.dashboard, name="dashboard"),
    path(D, views.definitions, name="definitions"),
    path(D + "ny/", views.definition_create, name="definition_create"),
    path(D + "<slug:code>/endre/", views.definition_edit, name="definition_edit"),
    path(D + "<slug:code>/kopier/", views.definition_copy, name="definition_copy"),
    path(S + "<slug:code>.csv", views.indicator_csv, name="indicator_csv"),
    path(S + "<slug:code>/", views.indicator, name="indicator"),
]
