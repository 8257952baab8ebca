from django.urls import path

from . import views

app_name = "mail"
M = "<slug:slug>/e-post/"
urlpatterns = [
    path(M, views.mail_list, name="list"),
    path(M + "<int:pk>/send-igjen/", views.mail_resend, name="resend"),
]
