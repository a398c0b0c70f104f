"""The one exception kafkalab raises for mistakes a person can make: a localized message, no stack trace."""
from __future__ import annotations

from .i18n import t


class KafkaLabError(Exception):
    """An error with a message key from the catalogue; str() gives it in the current language."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        super().__init__(key)

    def __str__(self) -> str:
        return t(self.key, **self.values)

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: the student sees only the message.
        return [f"KafkaLabError: {self}"]
