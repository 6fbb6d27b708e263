"""Plain-HTML admin forms (no WTForms class) that show a refusal beside the field it concerns.

`attempt` puts a broken rule's sentence into `form.<field>.errors`; `FieldErrors` stands in for such a
form and keeps the sentences by field name, so the page can show what was typed with each error beside
its input (the incident update form does the same with a WTForms form).
"""

from __future__ import annotations

from collections.abc import Callable

from statuspage.views.admin._base import attempt


class FieldErrors:
    """Collect the errors `attempt` puts beside fields, by field name."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def __getattr__(self, name: str) -> _Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Field(self.by_field.setdefault(name, []))


class _Field:
    """One field's error list, as `attempt` expects to find it (`field.errors`)."""

    def __init__(self, errors: list[str]) -> None:
        self._errors = errors

    @property
    def errors(self) -> list[str]:
        return self._errors

    @errors.setter
    def errors(self, value) -> None:
        self._errors[:] = list(value)


def attempt_keeping(action: Callable[[], object], typed: dict, success: str | None = None) -> bool:
    """Run one write like `attempt`; on a refusal put its reasons by field in `typed["errors"]`."""
    holder = FieldErrors()
    done = attempt(action, success, form=holder)
    typed["errors"] = {name: errors for name, errors in holder.by_field.items() if errors}
    return done
