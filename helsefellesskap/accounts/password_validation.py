from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 changed this message and its Norwegian translation no longer matches."""

    def get_error_message(self):
        return ngettext(
            "Passordet er for kort. Det må bestå av minst %(min_length)d tegn.",
            "Passordet er for kort. Det må bestå av minst %(min_length)d tegn.",
            self.min_length,
        ) % {"min_length": self.min_length}
