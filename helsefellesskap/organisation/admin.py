"""The Django admin, for the platform administrator; secretariats use the product's pages."""

from django.contrib import admin

from .models import Body, Community, Invitation, Membership, MunicipalRegion, Party, Person, Unit


class RegionInline(admin.TabularInline):
    model = MunicipalRegion
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "is_published"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [RegionInline]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_number", "region", "population", "community"]
    list_filter = ["community", "kind", "region"]
    search_fields = ["name", "municipality_number"]
    list_select_related = ["community", "region"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person", "party"]
    fields = ["person", "role", "representation", "party", "region", "start_date", "end_date"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "is_public", "community"]
    list_filter = ["community", "kind", "is_public"]
    search_fields = ["name", "short_name"]
    list_select_related = ["community", "parent"]
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_name", "email", "party", "user", "community"]
    list_filter = ["community", "is_public_contact"]
    search_fields = ["given_name", "family_name", "email"]
    list_select_related = ["community", "party", "user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "body", "role", "representation", "start_date", "end_date"]
    list_filter = ["community", "role", "representation", "body__kind"]
    search_fields = ["person__given_name", "person__family_name", "body__name"]
    list_select_related = ["person", "body"]
    autocomplete_fields = ["person", "party"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "created_at", "expires_at", "accepted_at"]
    list_filter = ["community"]
    readonly_fields = ["token_hash", "created_at", "accepted_at"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "party", "community", "is_active"]
    list_filter = ["community", "is_active"]
    search_fields = ["name", "party__name"]
