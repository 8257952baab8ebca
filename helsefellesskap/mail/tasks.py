"""The mail task's old address: mails queued before the task moved to `services` name it so."""

from .services import deliver_email

__all__ = ["deliver_email"]
