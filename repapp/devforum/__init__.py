"""Run a live FlaskBB 2.2.0 forum on 127.0.0.1 for tests and the demo.

flaskbb_env builds the cached venv, server installs and serves a forum from a
work dir, flaskbb_admin runs inside that venv, seed fills a forum with test
data and client acts as a forum user over HTTP.
"""
