"""The domain: every state change goes through a verb function here; views commit once."""


class ServiceError(ValueError):
    """A rule was broken; the message says what is wrong, in words a user understands.

    `field` names the form field the problem belongs to (e.g. "next_update_at"), so a form can show
    the sentence beside what the person typed; None: the whole form.
    """

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
