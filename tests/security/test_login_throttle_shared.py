"""Login throttling holds across several web workers: the failures are counted in the shared database.

Two app instances on one database stand for two web worker processes behind a load balancer
that alternates between them: the failures one sees count for the other.
"""

from __future__ import annotations

from conftest import FreshContextClient, make_test_config
from repapp import create_app
from repapp.extensions import db
from support import web
from support.world import PASSWORD


def test_failures_on_one_worker_throttle_the_other(app, world, tmp_path):
    """Alternating workers: after the limit, the right password is refused on both, per account and per address."""
    other = create_app(make_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]),
                       instance_path=str(tmp_path / "other-instance"))
    other.test_client_class = FreshContextClient
    try:
        workers = [app.test_client(), other.test_client()]
        email = world.user("rep_a").email
        limit = app.config["LOGIN_MAX_FAILURES"]
        for n in range(limit):
            assert web.login(workers[n % 2], email, "wrong-password").status_code == 401
        assert web.login(workers[0], email, PASSWORD).status_code == 429
        assert web.login(workers[1], email, PASSWORD).status_code == 429
        # Guessing other accounts from one address, spread over both workers, is throttled as well.
        guesser = [app.test_client(), other.test_client()]
        for client in guesser:
            client.environ_base["REMOTE_ADDR"] = "198.51.100.9"  # only a WSGI value: nothing is sent anywhere
        for n in range(limit):
            web.login(guesser[n % 2], f"nobody{n}@test.repapp", "wrong-password")
        assert web.login(guesser[1], world.user("pr").email, PASSWORD).status_code == 429
        bystander = other.test_client()
        bystander.environ_base["REMOTE_ADDR"] = "203.0.113.4"
        assert web.login(bystander, world.user("pr").email, PASSWORD).status_code == 302  # others still log in
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
