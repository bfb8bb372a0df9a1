"""Reply forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

MAX_BODY = 20000


class NewDraftForm(FlaskForm):
    post_id = IntegerField(validators=[Optional()])
    thread_id = IntegerField(validators=[Optional()])
    kind = SelectField(choices=[SelectChoice("reply", _l("Reply")), SelectChoice("news", _l("News")),
                                SelectChoice("new_thread", _l("New thread"))], default="reply")


class DraftForm(FlaskForm):
    body = TextAreaField(_l("Reply"), validators=[Length(max=MAX_BODY)])


class ApproveForm(FlaskForm):
    body = TextAreaField(_l("Text to publish"), validators=[DataRequired(), Length(max=MAX_BODY)])


class RejectForm(FlaskForm):
    comment = TextAreaField(_l("What to change"), validators=[DataRequired(), Length(max=2000)])


class ManualPostForm(FlaskForm):
    permalink = StringField(_l("Link to the published post"), validators=[DataRequired(), Length(max=1000)])
