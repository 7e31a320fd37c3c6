"""Errors that are the user's to fix.

A :class:`UserError` carries one line naming the field, the value and what is allowed.
The command line prints that line and exits with code 2; it never shows a traceback.
"""


class UserError(ValueError):
    """A mistake in a config, data file, CLI argument or game form."""

    exit_code = 2

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {value!r}; {allowed}")
