from django.urls import path

from . import views
from .stats_urls import urlpatterns as stats_urlpatterns

app_name = "deviations"
D = "<slug:slug>/avvik/"
urlpatterns = stats_urlpatterns + [
    path(D, views.home, name="home"),
    path(D + "ny/", views.report, name="report"),
    path(D + "temaer/", views.theme_list, name="themes"),
    path(D + "innstillinger/", views.settings, name="settings"),
    path(D + "innstillinger/kategori/<int:pk>/", views.category_edit, name="category_edit"),
    path(
        D + "innstillinger/behandler/<int:pk>/fjern/", views.handler_remove, name="handler_remove"
    ),
    path(D + "<str:number>/", views.detail, name="detail"),
    path(D + "<str:number>/tema/", views.theme_assign, name="theme_assign"),
    path(D + "<str:number>/<str:action>/", views.act, name="act"),
]
