from django.urls import path

from . import edit_views, exports, views

app_name = "actionplan"
P = "<slug:slug>/handlingsplan/<slug:plan_slug>/"
V = P + "versjon/<int:number>/"
urlpatterns = [
    path("<slug:slug>/handlingsplan/", views.plan_list, name="plans"),
    path("<slug:slug>/handlingsplan/mine/", views.my_measures, name="my_measures"),
    path("<slug:slug>/handlingsplan/importer/", exports.plan_import, name="import"),
    path("<slug:slug>/handlingsplan/mal.xlsx", exports.template_xlsx, name="template"),
    path("<slug:slug>/organer/<slug:body_slug>/tiltak/", views.body_measures, name="body_measures"),
    path(P, views.plan_detail, name="plan"),
    path(P + "tiltak/<uuid:lineage>/", views.measure_detail, name="measure"),
    path(P + "tidslinje/", views.timeline, name="timeline"),
    path(P + "fremdrift/", views.progress, name="progress"),
    path(P + "versjoner/", views.versions, name="versions"),
    path(P + "statusrapport.pdf", exports.status_report_pdf, name="status_pdf"),
    path(P + "statusrapport.xlsx", exports.status_report_xlsx, name="status_xlsx"),
    path(P + "plan.xlsx", exports.plan_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path(P + "plan.json", exports.plan_export, {"fmt": "json"}, name="export_json"),
    path(P + "importer/", exports.plan_import, name="import_version"),
    path(P + "revisjon/", edit_views.revision_start, name="revision_start"),
    path(P + "publiser-status/", edit_views.status_publish, name="status_publish"),
    path(V + "tiltak/nytt/", edit_views.measure_edit, name="measure_create"),
    path(V + "tiltak/<uuid:lineage>/endre/", edit_views.measure_edit, name="measure_edit"),
    path(V + "tiltak/<uuid:lineage>/fjern/", edit_views.measure_retire, name="measure_retire"),
    path(V + "mal/nytt/", edit_views.goal_edit, name="goal_create"),
    path(V + "mal/<uuid:lineage>/endre/", edit_views.goal_edit, name="goal_edit"),
    path(V + "mal/<uuid:lineage>/fjern/", edit_views.goal_retire, name="goal_retire"),
    path(V + "innstill/", edit_views.version_recommend, name="recommend"),
    path(V + "vedta/", edit_views.version_adopt, name="adopt"),
]
