# Shared by scripts/run and scripts/test: a project-local virtual environment with Python >= 3.11.
# Sourced, not executed.

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "repapp needs Python >= 3.11; none found on PATH" >&2
  return 1
}

ensure_venv() {
  # $1: pip extras, e.g. "" or "[test]"
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".$1"
}

apt_install() {
  # Install Debian packages that are missing (the tests need real servers and a real browser).
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
