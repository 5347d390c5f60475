#!/bin/sh
# What `make setup` needs before it installs anything: Python 3.11+ with venv, Node.js 18+ and npm.
# Usage: scripts/check_prereqs.sh PYTHON   (exit 1 with one line per missing piece)
py="${1:-python3}"
missing=0

say() { echo "make setup: $*" >&2; missing=1; }

if ! command -v "$py" >/dev/null 2>&1; then
    say "'$py' not found: install Python 3.11 or newer (Debian: apt-get install python3 python3-venv; macOS: brew install python@3.12) or run 'make setup PY=/path/to/python3.11'"
elif ! version=$("$py" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))' 2>/dev/null); then
    # found but it does not run: a pyenv shim whose Python is installed but not selected by pyenv
    # exits 127 with "pyenv: python3.10: command not found" and lists the versions that have it
    # (shell builtins only: this runs before anything else is known to work)
    err=$("$py" -c pass 2>&1) first="" versions=""
    while IFS= read -r line; do
        [ -n "$first" ] || first=$line
        case $line in
            "  "[0-9]*) versions="$versions${versions:+ }${line#"${line%%[! ]*}"}" ;;
        esac
    done <<EOF
$err
EOF
    if [ -n "$versions" ]; then
        say "'$py' does not run: it is a pyenv shim for Python $versions, which is installed but not selected by pyenv ($first): select a Python 3.11 or newer with 'pyenv shell VERSION', or run 'make setup PY=/path/to/python3.11'"
    else
        say "'$py' was found but does not run (${first:-it printed nothing}): run 'make setup PY=/path/to/python3.11'"
    fi
elif ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
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
