"""Forms for generating and accepting monthly reports."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp


class GenerateReportForm(FlaskForm):
    client = SelectField(_l("Client"), choices=[])
    month = StringField(_l("Month"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l(
        "Write the month as YYYY-MM, e.g. 2025-02."))])


class AcceptReportForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the client"), validators=[DataRequired(), Length(max=5000)])
