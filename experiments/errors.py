"""Errors the CLI reports as one line with exit status 2."""


class UsageError(ValueError):
    """Bad input from the user: the message names the field, the value and what is allowed."""
