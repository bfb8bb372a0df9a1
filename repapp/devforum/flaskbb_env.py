"""Build (once) and find the cached virtual environment that runs FlaskBB 2.2.0.

FlaskBB 2.2.0 needs Python >= 3.12 while repapp runs on 3.11, so FlaskBB lives
in its own venv under ``~/.cache/repapp/flaskbb-2.2.0-py3.X``. The venv is
built once (pip from PyPI, a source patch, compiled translations) and marked
complete; later calls only check the marker.
"""

from __future__ import annotations

import ast
import fcntl
import glob
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FLASKBB_VERSION = "2.2.0"
WAITRESS_VERSION = "3.0.2"

# Known-good versions of FlaskBB's whole dependency tree, used as pip
# constraints so a fresh machine gets exactly what the harness was tested
# with (FlaskBB's own requirements are open-ended ">=").
CONSTRAINTS = """\
alembic==1.20.1
amqp==5.4.2
attrs==26.1.0
babel==2.18.0
billiard==4.3.2
blinker==1.9.0
cachelib==0.17.0
celery==5.7.0
certifi==2026.10.18
charset-normalizer==3.5.2
click==8.5.1
click-didyoumean==0.3.1
click-log==0.4.0
click-plugins==1.1.1.2
click-repl==0.4.1
Deprecated==3.0.1
dnspython==2.9.2
email-validator==2.4.0
Flask==3.1.3
Flask-Alembic==3.3.0
Flask-Allows2==1.3.0
Flask-BabelPlus==2.5.0
Flask-Caching==2.5.1
Flask-DebugToolbar==0.16.0
flask-debugtoolbar-warnings==0.1.0
Flask-Limiter==4.1.1
Flask-Login==0.6.3
Flask-Mail==0.10.0
flask-redis==0.4.0
Flask-SQLAlchemy==3.1.1
Flask-Themes2==2.0.0
flask-whooshee==0.9.1
Flask-WTF==1.3.0
FlaskBB==2.2.0
flaskbb-plugin-conversations==2.0.2
flaskbb-plugin-portal==2.0.0
idna==3.20
itsdangerous==2.2.0
Jinja2==3.1.6
kombu==5.7.0
limits==5.8.0
Mako==1.4.3
MarkupSafe==3.0.4
mistune==3.4.0
ordered-set==4.1.0
packaging==26.3
pillow==13.0.0
pluggy==1.7.0
prompt_toolkit==3.0.53
Pygments==2.21.0
PyJWT==2.15.1
python-dateutil==2.9.0.post0
pytz==2026.6
redis==8.1.0
requests==2.34.2
six==1.17.0
SQLAlchemy==2.1.9
SQLAlchemy-Utils==0.43.0
typing_extensions==4.16.0
tzlocal==5.4.5
Unidecode==1.4.0
urllib3==2.8.0
vine==5.1.0
waitress==3.0.2
wcwidth==0.9.4
Werkzeug==3.1.9
Whoosh==2.7.4
wrapt==2.5.2
WTForms==3.3.2
WTForms-SQLAlchemy==0.4.2
"""

# Packages whose modules get the TYPE_CHECKING patch (FlaskBB and its plugins).
PATCHED_PACKAGES = ("flaskbb", "conversations", "portal")
FUTURE_LINE = "from __future__ import annotations\n"
# Bump when the build steps change so existing caches are rebuilt.
BUILD_REVISION = 1
MARKER = "repapp-flaskbb-env.json"

PYTHON_NAMES = ("python3.13", "python3.12")
PYENV_GLOBS = ("~/.pyenv/versions/3.13*/bin/python", "~/.pyenv/versions/3.12*/bin/python")
PROBE = ("import sys; print(sys.version_info >= (3, 12)); print(sys.executable); "
         "print(sys.version.split()[0])")


class FlaskBBEnvError(RuntimeError):
    """The FlaskBB environment cannot be found or built."""


@dataclass(frozen=True)
class FlaskBBEnv:
    """A ready FlaskBB venv."""

    root: Path
    python: Path

    @property
    def bin_dir(self) -> Path:
        """Return the venv's bin directory (holds pybabel)."""
        return self.python.parent

    def subprocess_env(self) -> dict[str, str]:
        """Return an environment for FlaskBB subprocesses."""
        env = dict(os.environ)
        # flaskbb shells out to pybabel; it must be this venv's one.
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONIOENCODING"] = "utf-8"
        # repapp's own interpreter settings must not leak into FlaskBB's.
        env.pop("PYTHONPATH", None)
        env.pop("PYTHONWARNINGS", None)
        # FLASKBB_* variables override the config file; keep runs reproducible.
        for key in [k for k in env if k.startswith("FLASKBB_")]:
            del env[key]
        return env


def _probe(candidate: str) -> tuple[str, str] | None:
    """Return (executable, version) if candidate runs and is >= 3.12."""
    try:
        out = subprocess.run(
            [candidate, "-c", PROBE], capture_output=True, text=True,
            timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    # pyenv shims exist on PATH but fail when the version is not selected.
    if out.returncode != 0:
        return None
    lines = out.stdout.splitlines()
    if len(lines) != 3 or lines[0] != "True":
        return None
    return lines[1], lines[2]


def python_candidates() -> list[str]:
    """List interpreters to try, best first."""
    found: list[str] = []
    override = os.environ.get("REPAPP_FLASKBB_PYTHON")
    if override:
        found.append(override)
    for name in PYTHON_NAMES:
        path = shutil.which(name)
        if path:
            found.append(path)
    for pattern in PYENV_GLOBS:
        found.extend(sorted(glob.glob(os.path.expanduser(pattern)), reverse=True))
    return found


def find_python() -> tuple[str | None, str]:
    """Find a Python >= 3.12; return (path or None, what was found or why not)."""
    tried = python_candidates()
    for candidate in tried:
        probed = _probe(candidate)
        if probed:
            exe, version = probed
            return exe, f"Python {version} at {exe}"
    return None, (
        "FlaskBB 2.2.0 needs Python >= 3.12 and none was found "
        f"(tried: {', '.join(tried) or 'nothing'}; looked for "
        f"{', '.join(PYTHON_NAMES)} on PATH and {', '.join(PYENV_GLOBS)}; "
        "set REPAPP_FLASKBB_PYTHON to point at one)"
    )


def _python_tag(python: str) -> str:
    """Return 'py3.X' for the interpreter."""
    out = subprocess.run(
        [python, "-c", "import sys; print('py%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True, timeout=30,
    )
    return out.stdout.strip()


def default_cache_root() -> Path:
    """Return the directory that holds repapp's cached FlaskBB venvs."""
    override = os.environ.get("REPAPP_FLASKBB_CACHE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "repapp"


def build_fingerprint() -> str:
    """Hash everything that determines the venv's content."""
    blob = json.dumps(
        [FLASKBB_VERSION, WAITRESS_VERSION, CONSTRAINTS, BUILD_REVISION]
    ).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def add_future_annotations(source: str) -> str | None:
    """Return source with ``from __future__ import annotations`` added, or None.

    Only modules that use TYPE_CHECKING need it (their annotations name types
    imported only for the type checker); the import goes after the module
    docstring, where Python requires __future__ imports to be.
    """
    if "TYPE_CHECKING" not in source:
        return None
    tree = ast.parse(source)
    for node in tree.body:
        if (isinstance(node, ast.ImportFrom) and node.module == "__future__"
                and any(alias.name == "annotations" for alias in node.names)):
            return None
    body = tree.body
    first = body[0]
    is_docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str))
    at = first.end_lineno if is_docstring else first.lineno - 1
    lines = source.splitlines(keepends=True)
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    lines.insert(at, FUTURE_LINE)
    return "".join(lines)


def patch_package_sources(site_packages: Path) -> list[Path]:
    """Apply the TYPE_CHECKING patch to FlaskBB's modules; idempotent."""
    patched = []
    for package in PATCHED_PACKAGES:
        for path in sorted((site_packages / package).rglob("*.py")):
            new = add_future_annotations(path.read_text(encoding="utf-8"))
            if new is not None:
                path.write_text(new, encoding="utf-8")
                patched.append(path)
    return patched


def _run_logged(cmd: list[str], logfile: Path, env: dict[str, str] | None = None,
                timeout: float = 1800) -> None:
    """Run cmd appending output to logfile; raise FlaskBBEnvError on failure."""
    with logfile.open("a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n")
        fh.flush()
        try:
            rc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env,
                                timeout=timeout, check=False).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    if rc != 0:
        tail = "".join(logfile.read_text(encoding="utf-8").splitlines(True)[-25:])
        raise FlaskBBEnvError(
            f"command failed ({rc}): {' '.join(cmd)}\nlog {logfile}:\n{tail}"
        )


def _site_packages(python: Path) -> Path:
    """Ask the venv's interpreter for its site-packages directory."""
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    return Path(out.stdout.strip())


def _build(root: Path, python: str, logfile: Path) -> FlaskBBEnv:
    """Create the venv in root from scratch."""
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    logfile.write_text("", encoding="utf-8")
    _run_logged([python, "-m", "venv", str(root)], logfile)
    env = FlaskBBEnv(root=root, python=root / "bin" / "python")
    constraints = root / "constraints.txt"
    constraints.write_text(CONSTRAINTS, encoding="utf-8")
    _run_logged(
        [str(env.python), "-m", "pip", "install", "--disable-pip-version-check",
         "--no-input", "-c", str(constraints),
         f"flaskbb=={FLASKBB_VERSION}", f"waitress=={WAITRESS_VERSION}"],
        logfile,
    )
    site = _site_packages(env.python)
    patched = patch_package_sources(site)
    log.info("patched %s FlaskBB modules for Python >= 3.12", len(patched))
    # `flaskbb install` compiles the .po catalogues with pybabel; do it once
    # here since they live in the venv, not in a forum's work dir.
    for package in PATCHED_PACKAGES:
        translations = site / package / "translations"
        if translations.is_dir():
            _run_logged([str(env.bin_dir / "pybabel"), "compile", "-d",
                         str(translations)], logfile, env=env.subprocess_env())
    # Byte-compile now so the first forum start does not pay for it.
    _run_logged([str(env.python), "-m", "compileall", "-q",
                 *[str(site / p) for p in PATCHED_PACKAGES]], logfile)
    _run_logged([str(env.python), "-c", "import flaskbb, waitress; "
                 "from flaskbb import create_app"], logfile, env=env.subprocess_env())
    return env


def ensure_flaskbb_env(cache_root: Path | str | None = None,
                       python: str | None = None) -> FlaskBBEnv:
    """Return the ready FlaskBB venv, building it first if needed."""
    if python is None:
        python, why = find_python()
        if python is None:
            raise FlaskBBEnvError(why)
    cache_root = Path(cache_root) if cache_root else default_cache_root()
    root = cache_root / f"flaskbb-{FLASKBB_VERSION}-{_python_tag(python)}"
    marker = root / MARKER
    expected = {"fingerprint": build_fingerprint(), "base_python": python}
    env = FlaskBBEnv(root=root, python=root / "bin" / "python")

    def ready() -> bool:
        try:
            found = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return found.get("fingerprint") == expected["fingerprint"] and env.python.exists()

    if ready():
        return env
    cache_root.mkdir(parents=True, exist_ok=True)
    lock_path = cache_root / f"{root.name}.lock"
    # Serialize builds between concurrent test runs sharing the cache.
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready():
            return env
        logfile = cache_root / f"{root.name}.build.log"
        log.info("building FlaskBB %s venv in %s (log: %s)", FLASKBB_VERSION, root, logfile)
        env = _build(root, python, logfile)
        marker.write_text(json.dumps(expected), encoding="utf-8")
    return env


def main() -> int:
    """Build the venv from the command line and print its interpreter."""
    logging.basicConfig(level=logging.INFO)
    try:
        env = ensure_flaskbb_env()
    except FlaskBBEnvError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(env.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
