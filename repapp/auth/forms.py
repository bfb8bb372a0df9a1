"""Login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Log in"))


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Confirm"))
