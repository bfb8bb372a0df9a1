"""Inbox forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, TextAreaField, widgets
from wtforms.fields import SelectMultipleField
from wtforms.validators import DataRequired, Length

from .tags import TAG_LABELS


class TagsForm(FlaskForm):
    tags = SelectMultipleField(
        _l("Tags"),
        choices=[SelectChoice(key, label) for key, label in TAG_LABELS.items()],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )


class NoAnswerForm(FlaskForm):
    reason = StringField(_l("Why no answer is needed"), validators=[DataRequired(), Length(max=500)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
