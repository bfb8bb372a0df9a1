"""The WSGI entry point for production servers: `gunicorn 'repapp.wsgi:app'`."""

from . import create_app
from .crypto import check_keys_at_start_up

app = create_app()
check_keys_at_start_up(app)
