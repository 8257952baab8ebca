from django.urls import path

from . import views

app_name = "organisation"
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.community, name="community"),
    path("<slug:slug>/organer/", views.body_list, name="bodies"),
    path("<slug:slug>/organer/nytt/", views.body_form, name="body_create"),
    path("<slug:slug>/organer/<slug:body_slug>/", views.body_detail, name="body"),
    path("<slug:slug>/organer/<slug:body_slug>/endre/", views.body_form, name="body_edit"),
    path(
        "<slug:slug>/organer/<slug:body_slug>/nytt-medlem/",
        views.membership_create,
        name="membership_create",
    ),
    path("<slug:slug>/medlemskap/<int:pk>/endre/", views.membership_edit, name="membership_edit"),
    path("<slug:slug>/medlemskap/<int:pk>/avslutt/", views.membership_end, name="membership_end"),
    path("<slug:slug>/parter/", views.party_list, name="parties"),
    path("<slug:slug>/parter/ny/", views.party_form, name="party_create"),
    path("<slug:slug>/parter/<int:pk>/endre/", views.party_form, name="party_edit"),
    path("<slug:slug>/regioner/ny/", views.region_form, name="region_create"),
    path("<slug:slug>/regioner/<int:pk>/endre/", views.region_form, name="region_edit"),
    path("<slug:slug>/kontakter/", views.contact_list, name="contacts"),
    path("<slug:slug>/representasjon/", views.representation, name="representation"),
    path("<slug:slug>/personer/", views.person_list, name="people"),
    path("<slug:slug>/personer/ny/", views.person_form, name="person_create"),
    path("<slug:slug>/personer/<int:pk>/endre/", views.person_form, name="person_edit"),
    path("<slug:slug>/invitasjoner/ny/", views.invitation_create, name="invitation_create"),
]
