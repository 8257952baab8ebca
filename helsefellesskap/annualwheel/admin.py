"""The Django admin, for the platform administrator; secretariats use the product's pages."""

from django.contrib import admin

from .models import FeedToken, RecurrenceRule, WheelEvent


@admin.register(RecurrenceRule)
class RecurrenceRuleAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "interval_weeks", "first_date", "end_date", "community"]
    list_filter = ["community", "kind"]
    search_fields = ["title"]
    list_select_related = ["community", "body"]


@admin.register(WheelEvent)
class WheelEventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "body", "starts_at", "is_confirmed", "is_public", "community"]
    list_filter = ["community", "kind", "is_confirmed", "is_public"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    list_select_related = ["community", "body"]
    raw_id_fields = ["meeting", "rule"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    readonly_fields = ["token", "created_at"]
    raw_id_fields = ["user"]
