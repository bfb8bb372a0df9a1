"""The `repapp devforum` command: run the seeded demo forum (FlaskBB) beside the app."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from repapp.devforum import demo
from repapp.devforum.flaskbb_env import FlaskBBEnvError, ensure_flaskbb_env, find_python
from repapp.devforum.server import DEFAULT_ADMIN, FlaskBBError, FlaskBBServer

# scripts/run tells "no Python for FlaskBB" (carry on without the forum) from real failures.
EXIT_NO_PYTHON = 3
DEFAULT_PORT = 5051


def _ignore_signals() -> None:
    """Ignore SIGINT and SIGTERM from now on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Start the orderly shutdown on the first SIGINT or SIGTERM."""
    # Ctrl-C reaches us and scripts/run's kill follows: a second interrupt
    # inside the shutdown would cut it short (or corrupt a lock being released).
    _ignore_signals()
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Raise KeyboardInterrupt on SIGINT and SIGTERM inside the block, then restore."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    # scripts/run starts us in the background, where bash leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _progress_on_stderr() -> Iterator[None]:
    """Show the forum harness's progress (venv build, start-up) on the terminal."""
    logger = logging.getLogger("repapp.devforum")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("devforum: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _port_free(port: int) -> bool:
    """Return True if 127.0.0.1:port can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _print_credentials(server: FlaskBBServer, seed: demo.DemoSeed) -> None:
    """Print the forum address, its threads and who can log in."""
    click.echo(f"Demo forum: {server.base_url}/")
    for thread in demo.THREADS:
        click.echo(f"  {seed.topic_url(server.base_url, thread.key)}  {thread.title}")
    officials = ", ".join(seed.officials[t.client] for t in demo.THREADS)
    click.echo(f"Official accounts (password {demo.DEMO_PASSWORD}): {officials}")
    click.echo(f"Forum users (password {demo.DEMO_PASSWORD}): {', '.join(demo.FORUM_USERS)}")
    click.echo(f"Forum admin: {DEFAULT_ADMIN['username']} / {DEFAULT_ADMIN['password']}")


def _serve(server: FlaskBBServer, seed: demo.DemoSeed, chatter_seconds: float | None,
           chatter_max: int) -> None:
    """Run the chatter (None: off), then keep the forum up until interrupted."""
    forever = threading.Event()
    if chatter_seconds is not None:
        click.echo(f"Forum users post about every {chatter_seconds:g} s "
                   f"(at most {chatter_max} posts). Ctrl-C stops the forum.")
        demo.run_chatter(server, seed.topics, forever, chatter_seconds, chatter_max,
                         on_post=lambda p: click.echo(f"  new post by {p.author} in "
                                                      f"{server.base_url}/post/{p.post_id}"))
    else:
        click.echo("Chatter is off. Ctrl-C stops the forum.")
    while not forever.wait(3600):
        pass


@click.command("devforum")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port on 127.0.0.1 (forums/demo-flaskbb.yaml expects 5051).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Forum database and logs, reused across runs [default: INSTANCE/devforum].")
@click.option("--chatter-seconds", type=click.FloatRange(min=0.0), default=demo.CHATTER_SECONDS,
              show_default=True, help="Average pause between forum users' new posts.")
@click.option("--chatter-max", type=click.IntRange(min=0), default=demo.CHATTER_MAX_POSTS,
              show_default=True, help="Stop the chatter after this many posts.")
@click.option("--no-chatter", is_flag=True, help="Seed and serve, but add no new posts.")
@click.option("--ready-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the forum URL here once it is seeded and serving (for scripts).")
@with_appcontext
def devforum_command(port: int, workdir: Path | None, chatter_seconds: float, chatter_max: int,
                     no_chatter: bool, ready_file: Path | None) -> None:
    """Run the local demo forum (FlaskBB) with the demo threads and chatty users."""
    python, found = find_python()
    if python is None:
        click.echo(f"devforum: {found}", err=True)
        sys.exit(EXIT_NO_PYTHON)
    if not _port_free(port):
        raise click.ClickException(f"port {port} on 127.0.0.1 is in use "
                                   "(is another demo forum running?)")
    workdir = workdir or Path(current_app.instance_path) / "devforum"
    playbooks_dir = current_app.config.get("PLAYBOOKS_DIR")
    with _progress_on_stderr(), _stop_on_signals():
        _run(python, found, port, workdir, playbooks_dir, ready_file,
             chatter_seconds if not no_chatter else None, chatter_max)


def _run(python: str, found: str, port: int, workdir: Path, playbooks_dir: str | None,
         ready_file: Path | None, chatter_seconds: float | None, chatter_max: int) -> None:
    """Build the env, start and seed the forum, serve until interrupted, stop it."""
    server: FlaskBBServer | None = None
    try:
        click.echo(f"devforum: FlaskBB runs on {found}; preparing its environment "
                   "(the first time installs it from PyPI and takes a few minutes)…")
        started = time.monotonic()
        env = ensure_flaskbb_env(python=python)
        click.echo(f"devforum: environment ready in {time.monotonic() - started:.0f} s, "
                   f"starting the forum in {workdir}…")
        if demo.reset_if_stale(workdir):
            click.echo("devforum: the forum there was not seeded with the current demo "
                       "content; starting it afresh.")
        server = FlaskBBServer(workdir, port, env=env)
        server.start()
        seed = demo.seed_demo(server, demo.official_accounts(playbooks_dir))
        click.echo("devforum: seeded the demo threads." if seed.created
                   else "devforum: reusing the demo threads seeded earlier.")
        _print_credentials(server, seed)
        if ready_file is not None:
            ready_file.write_text(server.base_url + "/\n", encoding="utf-8")
        _serve(server, seed, chatter_seconds, chatter_max)
    except KeyboardInterrupt:
        click.echo("devforum: stopping the demo forum.")
    except (FlaskBBEnvError, FlaskBBError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        # Whatever ended the run, a signal now must not cut the shutdown short.
        _ignore_signals()
        if server is not None:
            server.stop()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)


def init_app(app: Flask) -> None:
    """Register the devforum command."""
    app.cli.add_command(devforum_command)
