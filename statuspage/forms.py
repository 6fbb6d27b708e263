"""Admin forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from statuspage.services.playbooks.loader import LANGUAGES
from statuspage.services.shop import is_email, is_link, is_phone, phone_problem, url_problem
from statuspage.vocabulary import (
    COMPONENT_STATUSES,
    IMPACTS,
    LABELS,
    OPEN_STATUSES,
    ROLES,
    UPDATE_STATUSES,
)

# WTForms translates its own messages, but has no Latvian catalog: say "required" from ours.
REQUIRED = DataRequired(message=_l("This field is required."))


def _named(value: str):
    """Name a value: a status or impact by its label (lazy, from the catalogs), anything else readably."""
    return LABELS[value] if value in LABELS else value.replace("_", " ").capitalize()


ROLE_NAMES = {
    "owner": _l("Owner: everything, including the team and settings"),
    "editor": _l("Editor: incidents, updates and the plan"),
}


def role_name(role: str):
    """Name a role with what it may do (translated)."""
    return ROLE_NAMES.get(role, role)


def choices(values, label=_named) -> list[SelectChoice]:
    """Build select options from values."""
    return [SelectChoice(v, label(v)) for v in values]


# Each language by its own name, in its own script ("Polski", "العربية"), as its readers look for it.
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "pl": "Polski",
    "lv": "Latviešu",
    "ar": "العربية",
}


def _language(code: str) -> str:
    """Name a language in its own script."""
    return LANGUAGE_NAMES.get(code, code)


BEGAN_LABEL = _l("The problem began at")
AWARE_LABEL = _l("We became aware at")


class LoginForm(FlaskForm):
    """Log in with e-mail and password."""

    email = EmailField(_l("E-mail"), validators=[REQUIRED])
    password = PasswordField(_l("Password"), validators=[REQUIRED])


class IncidentForm(FlaskForm):
    """Open an incident: title, impact, first status and message."""

    title = StringField(_l("Title"), validators=[REQUIRED, Length(max=200)])
    impact = SelectField(_l("Impact"), choices=choices(IMPACTS), default="minor")
    status = SelectField(_l("Status"), choices=choices(OPEN_STATUSES))
    body = TextAreaField(_l("First update (Markdown)"), validators=[REQUIRED])
    draft = BooleanField(_l("Save as draft (not public yet)"))
    began_at = StringField(BEGAN_LABEL, validators=[Optional(), Length(max=40)])
    became_aware_at = StringField(AWARE_LABEL, validators=[Optional(), Length(max=40)])


RESOLVE_ANYWAY = _l("Resolve even though checklist items for during the crisis are still open")


class UpdateForm(FlaskForm):
    """Post an update on an open incident."""

    status = SelectField(_l("New status"), choices=choices(UPDATE_STATUSES))
    body = TextAreaField(_l("Update (Markdown)"), validators=[REQUIRED])
    display_at = StringField(_l("Publish at"), validators=[Optional(), Length(max=40)])
    next_update_at = StringField(_l("Next update by"), validators=[Optional(), Length(max=40)])
    confirm_open_items = BooleanField(
        _l(
            "Resolve even though checklist items for during the crisis are still open "
            "(when the status is Resolved)"
        )
    )


class ResolveForm(FlaskForm):
    """Resolve an incident."""

    body = TextAreaField(_l("Closing message (Markdown)"), validators=[REQUIRED])
    keep_components = BooleanField(_l("Leave component statuses as they are"))
    confirm_open_items = BooleanField(RESOLVE_ANYWAY)


class ReopenForm(FlaskForm):
    """Reopen a resolved incident."""

    status = SelectField(_l("Reopen as"), choices=choices(OPEN_STATUSES))
    body = TextAreaField(_l("Why it is reopened (Markdown)"), validators=[REQUIRED])


class EditUpdateForm(FlaskForm):
    """Correct the text of a published update."""

    body = TextAreaField(_l("Text (Markdown)"), validators=[REQUIRED])


class TimesForm(FlaskForm):
    """When the problem began and when the team became aware (corrections are audited)."""

    began_at = StringField(BEGAN_LABEL, validators=[Optional(), Length(max=40)])
    became_aware_at = StringField(AWARE_LABEL, validators=[Optional(), Length(max=40)])


class ConfirmForm(FlaskForm):
    """A button that needs only a CSRF token (publish, delete, move …), with an optional confirmation."""

    confirm = BooleanField(_l("Yes, I am sure"))


class ComponentForm(FlaskForm):
    """Create or edit a component or group."""

    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=120)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    group_id = SelectField(_l("Group"), choices=[], validate_choice=False)
    is_group = BooleanField(_l("This is a group of components"))


class ComponentStatusForm(FlaskForm):
    """Set a component's status."""

    status = SelectField(_l("Status"), choices=choices(COMPONENT_STATUSES))


def _each_line(test, problem):
    """Check every non-empty line of a field, so each wrong value is named beside the field at once
    (the service checks the same rules again when saving)."""

    def check(form, field) -> None:
        for value in (line.strip() for line in (field.data or "").splitlines()):
            if value and not test(value):
                raise ValidationError(problem(value))

    return check


def _address(value: str) -> str:
    """Say that a value is not an e-mail address."""
    return _("“%(address)s” is not an e-mail address, e.g. help@shop.example.", address=value)


def _addresses(value: str) -> str:
    """Say that one line of a list of addresses is not an e-mail address."""
    return _("“%(address)s” is not an e-mail address (one address per line).", address=value)


LINK = _each_line(is_link, lambda value: url_problem())
PHONE = _each_line(is_phone, lambda value: phone_problem())


class SettingsForm(FlaskForm):
    """The shop's settings; every field that is wrong says so beside itself, all at once."""

    name = StringField(_l("Shop name"), validators=[REQUIRED, Length(max=120)])
    url = StringField(_l("Shop URL"), validators=[Optional(), Length(max=300), LINK])
    logo_url = StringField(_l("Logo URL"), validators=[Optional(), Length(max=300), LINK])
    timezone = StringField(_l("Timezone"), validators=[REQUIRED, Length(max=64)])
    brand_color = StringField(_l("Brand colour"), validators=[REQUIRED, Length(max=7)])
    contact_email = StringField(
        _l("Support e-mail"),
        validators=[Optional(), Length(max=200), _each_line(is_email, _address)],
    )
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=60), PHONE])
    contact_hotline = StringField(_l("Hotline"), validators=[Optional(), Length(max=60), PHONE])
    contact_chat_url = StringField(
        _l("Live chat link"), validators=[Optional(), Length(max=300), LINK]
    )
    default_language = SelectField(_l("Default language"), choices=choices(LANGUAGES, _language))
    languages = SelectMultipleField(
        _l("Languages you publish in"),
        choices=choices(LANGUAGES, _language),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    contact_social = TextAreaField(_l("Social accounts (one per line)"), validators=[Optional()])
    contact_address = TextAreaField(_l("Address"), validators=[Optional()])
    sender_emails = TextAreaField(
        _l("Addresses we send e-mail from (one per line)"),
        validators=[Optional(), _each_line(is_email, _addresses)],
    )
    sms_sender = StringField(_l("SMS sender name"), validators=[Optional(), Length(max=20)])


class InviteForm(FlaskForm):
    """Invite someone to the team by e-mail, with the role they will have."""

    email = EmailField(_l("E-mail"), validators=[REQUIRED, Length(max=200)])
    role = SelectField(_l("Role"), choices=lambda: choices(ROLES, role_name), default="editor")


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField(_l("Role"), choices=lambda: choices(ROLES, role_name))


class RescheduleForm(FlaskForm):
    """Change a scheduled update before it is due."""

    body = TextAreaField(_l("Text (Markdown)"), validators=[REQUIRED])
    display_at = StringField(_l("Publish at"), validators=[REQUIRED, Length(max=40)])
    next_update_at = StringField(_l("Next update by"), validators=[Optional(), Length(max=40)])


class DeadlineDoneForm(FlaskForm):
    """Mark a playbook deadline as met."""

    note = TextAreaField(
        _l("Note (what was done, reference number …)"), validators=[Length(max=2000)]
    )


class MaintenanceForm(FlaskForm):
    """Announce a planned maintenance window."""

    title = StringField(_l("Title"), validators=[REQUIRED, Length(max=200)])
    scheduled_for = StringField(_l("Work starts"), validators=[REQUIRED, Length(max=40)])
    scheduled_until = StringField(_l("Work ends"), validators=[REQUIRED, Length(max=40)])
    what_changes = StringField(_l("What customers gain"), validators=[Optional(), Length(max=500)])
    body = TextAreaField(_l("Announcement (Markdown)"), validators=[Optional()])
    display_at = StringField(_l("Announce at"), validators=[Optional(), Length(max=40)])
    reminder_minutes = IntegerField(
        _l("Remind subscribers (minutes before the start)"),
        validators=[Optional(), NumberRange(min=0, max=7 * 24 * 60)],
    )


class ExtendForm(FlaskForm):
    """Move a maintenance's end, telling customers why."""

    scheduled_until = StringField(_l("New end"), validators=[REQUIRED, Length(max=40)])
    body = TextAreaField(_l("Message to customers (Markdown)"), validators=[Optional()])


def form_errors(form: FlaskForm) -> str:
    """Join a form's validation errors into one sentence for a flash message."""
    return " ".join(
        f"{getattr(form, name).label.text}: {' '.join(map(str, errors))}"
        for name, errors in form.errors.items()
    )
