"""Forms for cases, escalations and the contact's answer."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .operations import MANUAL_TARGETS, STATE_LABELS


class NewCaseForm(FlaskForm):
    client = SelectField(_l("Client"), choices=[])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=5000)])
    post_ids = HiddenField()


class TransitionForm(FlaskForm):
    state = SelectField(_l("New state"), choices=[SelectChoice(s.value, STATE_LABELS[s]) for s in MANUAL_TARGETS])
    resolution = TextAreaField(_l("Resolution"), validators=[Optional(), Length(max=5000)])


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why reopen"), validators=[Optional(), Length(max=5000)])


class LinkPostForm(FlaskForm):
    post = StringField(_l("Post number or its address on the forum"), validators=[DataRequired(), Length(max=1000)])


class UnlinkPostForm(FlaskForm):
    post_id = HiddenField(validators=[DataRequired()])


class EscalationForm(FlaskForm):
    contact = SelectField(_l("Contact"), choices=[])
    topic = SelectField(_l("Topic"), choices=[])
    message = TextAreaField(_l("Message to the contact"), validators=[DataRequired(), Length(max=10000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=20000)])
