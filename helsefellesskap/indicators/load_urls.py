from django.urls import path

from . import load_views

S = "<slug:slug>/styringsinformasjon/"
L = S + "innlasting/"
urlpatterns: list = [
    path(L, load_views.loads, name="loads"),
    path(L + "<int:pk>/", load_views.load, name="load"),
    path(L + "<int:pk>/lagre/", load_views.load_confirm, name="load_confirm"),
    path(L + "<int:pk>/forkast/", load_views.load_discard, name="load_discard"),
]
