"""Admin forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

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
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from statuspage.services.playbooks.loader import LANGUAGES
from statuspage.vocabulary import (
    COMPONENT_STATUSES,
    IMPACTS,
    LABELS,
    OPEN_STATUSES,
    ROLES,
    UPDATE_STATUSES,
)


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


BEGAN_LABEL = "The problem began at"
AWARE_LABEL = "We became aware at"


class LoginForm(FlaskForm):
    """Log in with e-mail and password."""

    email = EmailField("E-mail", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class IncidentForm(FlaskForm):
    """Open an incident: title, impact, first status and message."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    impact = SelectField("Impact", choices=choices(IMPACTS), default="minor")
    status = SelectField("Status", choices=choices(OPEN_STATUSES))
    body = TextAreaField("First update (Markdown)", validators=[DataRequired()])
    draft = BooleanField("Save as draft (not public yet)")
    began_at = StringField(BEGAN_LABEL, validators=[Optional(), Length(max=40)])
    became_aware_at = StringField(AWARE_LABEL, validators=[Optional(), Length(max=40)])


RESOLVE_ANYWAY = "Resolve even though checklist items for during the crisis are still open"


class UpdateForm(FlaskForm):
    """Post an update on an open incident."""

    status = SelectField("New status", choices=choices(UPDATE_STATUSES))
    body = TextAreaField("Update (Markdown)", validators=[DataRequired()])
    display_at = StringField("Publish at", validators=[Optional(), Length(max=40)])
    next_update_at = StringField("Next update by", validators=[Optional(), Length(max=40)])
    confirm_open_items = BooleanField(RESOLVE_ANYWAY + " (when the status is Resolved)")


class ResolveForm(FlaskForm):
    """Resolve an incident."""

    body = TextAreaField("Closing message (Markdown)", validators=[DataRequired()])
    keep_components = BooleanField("Leave component statuses as they are")
    confirm_open_items = BooleanField(RESOLVE_ANYWAY)


class ReopenForm(FlaskForm):
    """Reopen a resolved incident."""

    status = SelectField("Reopen as", choices=choices(OPEN_STATUSES))
    body = TextAreaField("Why it is reopened (Markdown)", validators=[DataRequired()])


class EditUpdateForm(FlaskForm):
    """Correct the text of a published update."""

    body = TextAreaField("Text (Markdown)", validators=[DataRequired()])


class TimesForm(FlaskForm):
    """When the problem began and when the team became aware (corrections are audited)."""

    began_at = StringField(BEGAN_LABEL, validators=[Optional(), Length(max=40)])
    became_aware_at = StringField(AWARE_LABEL, validators=[Optional(), Length(max=40)])


class ConfirmForm(FlaskForm):
    """A button that needs only a CSRF token (publish, delete, move …), with an optional confirmation."""

    confirm = BooleanField("Yes, I am sure")


class ComponentForm(FlaskForm):
    """Create or edit a component or group."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = StringField("Description", validators=[Optional(), Length(max=500)])
    group_id = SelectField("Group", choices=[], validate_choice=False)
    is_group = BooleanField("This is a group of components")


class ComponentStatusForm(FlaskForm):
    """Set a component's status."""

    status = SelectField("Status", choices=choices(COMPONENT_STATUSES))


class SettingsForm(FlaskForm):
    """The shop's settings."""

    name = StringField("Shop name", validators=[DataRequired(), Length(max=120)])
    url = StringField("Shop URL", validators=[Optional(), Length(max=300)])
    logo_url = StringField("Logo URL", validators=[Optional(), Length(max=300)])
    timezone = StringField("Timezone", validators=[DataRequired(), Length(max=64)])
    brand_color = StringField("Brand colour", validators=[DataRequired(), Length(max=7)])
    contact_email = StringField("Support e-mail", validators=[Optional(), Length(max=200)])
    contact_phone = StringField("Phone", validators=[Optional(), Length(max=60)])
    contact_hotline = StringField("Hotline", validators=[Optional(), Length(max=60)])
    contact_chat_url = StringField("Live chat link", validators=[Optional(), Length(max=300)])
    default_language = SelectField("Default language", choices=choices(LANGUAGES, _language))
    languages = SelectMultipleField(
        "Languages you publish in",
        choices=choices(LANGUAGES, _language),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    contact_social = TextAreaField("Social accounts (one per line)", validators=[Optional()])
    contact_address = TextAreaField("Address", validators=[Optional()])
    sender_emails = TextAreaField(
        "Addresses we send e-mail from (one per line)", validators=[Optional()]
    )
    sms_sender = StringField("SMS sender name", validators=[Optional(), Length(max=20)])


class InviteForm(FlaskForm):
    """Invite someone to the team by e-mail, with the role they will have."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=lambda: choices(ROLES, role_name), default="editor")


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField(_l("Role"), choices=lambda: choices(ROLES, role_name))


class RescheduleForm(FlaskForm):
    """Change a scheduled update before it is due."""

    body = TextAreaField("Text (Markdown)", validators=[DataRequired()])
    display_at = StringField("Publish at", validators=[DataRequired(), Length(max=40)])
    next_update_at = StringField("Next update by", validators=[Optional(), Length(max=40)])


class DeadlineDoneForm(FlaskForm):
    """Mark a playbook deadline as met."""

    note = TextAreaField("Note (what was done, reference number …)", validators=[Length(max=2000)])


class MaintenanceForm(FlaskForm):
    """Announce a planned maintenance window."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    scheduled_for = StringField("Work starts", validators=[DataRequired(), Length(max=40)])
    scheduled_until = StringField("Work ends", validators=[DataRequired(), Length(max=40)])
    what_changes = StringField("What customers gain", validators=[Optional(), Length(max=500)])
    body = TextAreaField("Announcement (Markdown)", validators=[Optional()])
    display_at = StringField("Announce at", validators=[Optional(), Length(max=40)])
    reminder_minutes = IntegerField(
        "Remind subscribers (minutes before the start)",
        validators=[Optional(), NumberRange(min=0, max=7 * 24 * 60)],
    )


class ExtendForm(FlaskForm):
    """Move a maintenance's end, telling customers why."""

    scheduled_until = StringField("New end", validators=[DataRequired(), Length(max=40)])
    body = TextAreaField("Message to customers (Markdown)", validators=[Optional()])


def form_errors(form: FlaskForm) -> str:
    """Join a form's validation errors into one sentence for a flash message."""
    return " ".join(
        f"{getattr(form, name).label.text}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )
