"""The one error type for a request refused because of one field, so every form can show it at that field."""

from __future__ import annotations


class FieldError(ValueError):
    """Refused because of `field`; `str()` is the message, led by the field when `names_field` is set (for a
    command line, where there is no form to point at)."""

    names_field = False

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if self.names_field else message)
        self.field = field
