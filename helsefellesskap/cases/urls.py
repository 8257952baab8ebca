from django.urls import path

from . import views

app_name = "cases"
C = "<slug:slug>/saker/"
M = "<slug:slug>/moter/"
urlpatterns = [
    path(C, views.case_list, name="cases"),
    path(C + "ny/", views.case_form, name="case_create"),
    path(C + "dokument/<uuid:key>/", views.paper_download, name="paper"),
    path(C + "<str:case_slug>/", views.case_detail, name="case"),
    path(C + "<str:case_slug>/endre/", views.case_form, name="case_edit"),
    path(C + "<str:case_slug>/fordel/", views.case_route, name="case_route"),
    path(C + "<str:case_slug>/behandling/<int:pk>/", views.treatment_edit, name="treatment"),
    path(C + "<str:case_slug>/sakspapir/", views.paper_add, name="paper_add"),
    path(C + "<str:case_slug>/oppfolging/", views.follow_up_add, name="follow_up_add"),
    path(
        C + "<str:case_slug>/oppfolging/<int:pk>/utfort/",
        views.follow_up_done,
        name="follow_up_done",
    ),
    path(C + "<str:case_slug>/partsvedtak/<int:pk>/", views.ratification_edit, name="ratification"),
    path(M, views.meeting_list, name="meetings"),
    path(M + "nytt/", views.meeting_form, name="meeting_create"),
    path(M + "<int:pk>/", views.meeting_detail, name="meeting"),
    path(M + "<int:pk>/endre/", views.meeting_form, name="meeting_edit"),
    path(M + "<int:pk>/forfall/", views.absence_report, name="absence"),
    path(M + "<int:pk>/sak/<int:item_pk>/", views.item_edit, name="item"),
    path(M + "<int:pk>/godkjenn/", views.minutes_approve, name="approve"),
    path(M + "<int:pk>/protokoll.pdf", views.minutes_pdf, name="minutes_pdf"),
    path(M + "<int:pk>/mote.ics", views.meeting_ics, name="meeting_ics"),
    path(M + "<int:pk>/<str:action>/", views.meeting_action, name="meeting_action"),
]
