"""Forms for manual KPI figures, CSV imports and tracked links."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp


class ManualEntryForm(FlaskForm):
    month = StringField(_l("Month"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l(
        "Write the month as YYYY-MM, e.g. 2025-02."))])
    kpi = SelectField(_l("KPI"), choices=[])
    forum = SelectField(_l("Forum"), choices=[])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=40)])
    note = TextAreaField(_l("Where the figure comes from"), validators=[Optional(), Length(max=2000)])


class CsvImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class TrackedLinkForm(FlaskForm):
    thread = SelectField(_l("Thread"), choices=[], coerce=int)
    target_url = URLField(_l("Address on the client's site"),
                          validators=[DataRequired(), URL(require_tld=False), Length(max=2000)])
    reply_id = IntegerField(_l("Reply number (optional)"), validators=[Optional(), NumberRange(min=1)])
