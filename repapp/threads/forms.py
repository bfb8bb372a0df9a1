"""Forms for watched threads."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, URLField
from wtforms.validators import URL, DataRequired, Length


class WatchThreadForm(FlaskForm):
    client = SelectField(_l("Client"), choices=[])
    url = URLField(_l("Thread address"), validators=[DataRequired(), URL(require_tld=False), Length(max=1000)])
