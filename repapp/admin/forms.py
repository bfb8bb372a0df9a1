"""Forms for managing users and clients."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional, ValidationError

from ..models import Role

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
    SelectChoice(Role.PR.value, _l("PR specialist")),
    SelectChoice(Role.REP.value, _l("Representative")),
    SelectChoice(Role.CLIENT.value, _l("Client viewer")),
]
LOCALE_CHOICES = [SelectChoice("ru", "Русский"), SelectChoice("en", "English")]


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    clients = SelectMultipleField(_l("Clients"), choices=[], validate_choice=True)
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=10, max=500)])


def _known_timezone(form, field) -> None:
    """Reject time zones zoneinfo does not know."""
    if field.data not in available_timezones():
        raise ValidationError(_l("Unknown time zone."))


class ClientForm(FlaskForm):
    slug = StringField(_l("Slug"), validators=[DataRequired(), Length(min=2, max=63)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    display_name = StringField(_l("Official account name"), validators=[Optional(), Length(max=200)])
    site_url = URLField(_l("Site"), validators=[Optional(), URL(require_tld=False), Length(max=500)])
    timezone = StringField(_l("Time zone"), default="Europe/Moscow", validators=[DataRequired(), _known_timezone])
    is_active = BooleanField(_l("Active"), default=True)


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for confirmed POST actions."""
