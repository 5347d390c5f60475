#!/bin/sh
# What `make setup` needs before it installs anything: Python 3.11+ with venv, Node.js 18+ and npm.
# Usage: scripts/check_prereqs.sh PYTHON   (exit 1 with one line per missing piece)
py="${1:-python3}"
missing=0

say() { echo "make setup: $*" >&2; missing=1; }

if ! command -v "$py" >/dev/null 2>&1; then
    say "'$py' not found: install Python 3.11 or newer (Debian: apt-get install python3 python3-venv; macOS: brew install python@3.12) or run 'make setup PY=/path/to/python3.11'"
elif ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    version=$("$py" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo "an unknown version")
    say "'$py' is Python $version, but the book needs Python 3.11 or newer (numpy 2.4, pandas 3.1 and matplotlib 3.11 do): run 'make setup PY=/path/to/python3.11'"
elif ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    say "'$py' has no working venv module: install it (Debian: apt-get install python3-venv)"
fi

if ! command -v node >/dev/null 2>&1; then
    say "Node.js not found: install Node.js 18 or newer with npm (Debian: apt-get install nodejs npm; macOS: brew install node)"
elif ! node -e 'process.exit(parseInt(process.versions.node, 10) < 18 ? 1 : 0)' 2>/dev/null; then
    say "Node.js $(node --version) found, but the site's JavaScript needs Node.js 18 or newer"
fi
if ! command -v npm >/dev/null 2>&1; then
    say "npm not found: install it with Node.js (Debian: apt-get install npm; macOS: brew install node)"
fi

exit "$missing"
