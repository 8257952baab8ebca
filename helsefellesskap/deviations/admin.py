"""The Django admin for the platform administrator: read only. Deviations themselves are not here:
every view of a deviation must go through the product's pages, which write the audit trail.

Categories, themes, handlers and the settings are edited on the secretariat's pages
(«Innstillinger» and «Temaer» under «Samhandlingsavvik»), whose services pass the privacy guard
and write the audit trail. The admin could do neither, so it only shows them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Category, DeviationSettings, Handler, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows the rows; adding, changing and deleting belong to the secretariat's pages."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "agreement_clause", "deadline_days", "is_active"]
    list_filter = ["community", "is_active"]


@admin.register(Handler)
class HandlerAdmin(ReadOnlyAdmin):
    list_display = ["person", "party", "unit", "is_gp_liaison", "community"]
    list_filter = ["community", "is_gp_liaison"]
    list_select_related = ["person", "party", "unit", "community"]


@admin.register(DeviationSettings)
class DeviationSettingsAdmin(ReadOnlyAdmin):
    list_display = ["community", "deadline_days", "reminder_days"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "status", "created_at"]
    list_filter = ["community", "status"]
