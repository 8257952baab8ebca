from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.forms import DesignsystemetMixin
from helsefellesskap.mail.services import email_queue_rendered

from .models import User


class LoginForm(DesignsystemetMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Feil e-postadresse eller passord. Passordet skiller mellom store og små bokstaver."
        ),
        "inactive": _("Denne kontoen er deaktivert."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-postadresse")
        self.fields["username"].widget.attrs["autocomplete"] = "email"


class PasswordChange(DesignsystemetMixin, PasswordChangeForm):
    pass


class PasswordReset(DesignsystemetMixin, PasswordResetForm):
    def get_users(self, email):
        """Every active login with the address, also one without a usable password: a login
        restored by `import_community` has none until its owner chooses one here."""
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == email.casefold())

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Queue the mail like every other, so a mail server that is down loses nothing."""
        email_queue_rendered(
            to=to_email,
            subject=render_to_string(subject_template_name, context),
            text_body=render_to_string(email_template_name, context),
            html_body=render_to_string(html_email_template_name, context)
            if html_email_template_name
            else "",
        )


class SetPassword(DesignsystemetMixin, DjangoSetPasswordForm):
    pass


class AcceptInvitationForm(DesignsystemetMixin, forms.Form):
    """Choose a password for the new login an invitation creates."""

    password1 = forms.CharField(
        label=_("Velg passord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Gjenta passordet"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Passordene er ikke like."))
        if first:
            try:
                password_validation.validate_password(first, User(email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
