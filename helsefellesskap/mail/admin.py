from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutgoingEmail
from .services import email_resend

# The bodies of queued mails may hold one-time links: not shown, not editable.
SHOWN_FIELDS = (
    "community",
    "to",
    "subject",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "claimed_until",
    "created_at",
    "sent_at",
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The platform admin's view of all mail, including mail without a community (password
    resets), which no secretariat sees; failed mail can be sent again from here."""

    list_display = ["created_at", "to", "subject", "community", "status", "attempts", "sent_at"]
    list_filter = ["status", "community"]
    search_fields = ["to", "subject"]
    fields = SHOWN_FIELDS
    readonly_fields = SHOWN_FIELDS
    actions = ["resend"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text_body", "html_body", "attachments")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send valgt e-post på nytt"))
    def resend(self, request, queryset):
        queued = sum(email_resend(actor=request.user, email=email) for email in queryset)
        self.message_user(
            request,
            ngettext("%(n)s e-post er lagt i kø.", "%(n)s e-poster er lagt i kø.", queued)
            % {"n": queued},
            messages.SUCCESS,
        )
