"""The Django admin for the platform administrator. Deviations themselves are not here: every
view of a deviation must go through the product's pages, which write the audit trail."""

from django.contrib import admin

from .models import Category, DeviationSettings, Handler, Theme


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "agreement_clause", "deadline_days", "is_active"]
    list_filter = ["community", "is_active"]


@admin.register(Handler)
class HandlerAdmin(admin.ModelAdmin):
    list_display = ["person", "party", "unit", "is_gp_liaison", "community"]
    list_filter = ["community", "is_gp_liaison"]
    list_select_related = ["person", "party", "unit", "community"]


@admin.register(DeviationSettings)
class DeviationSettingsAdmin(admin.ModelAdmin):
    list_display = ["community", "deadline_days", "reminder_days"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "status", "created_at"]
    list_filter = ["community", "status"]
