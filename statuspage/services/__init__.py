"""The domain: every state change goes through a verb function here; views commit once."""


class ServiceError(ValueError):
    """A rule was broken; the message says what is wrong, in words a user understands."""
