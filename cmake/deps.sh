#!/bin/sh
# Checks the Debian packages Leoflow Lite needs to build, test and run, and
# installs the missing ones with apt when run as root; otherwise prints the
# one apt line to run. Usage: cmake/deps.sh [build|test]
set -eu

build_packages="g++ cmake ninja-build pkg-config ccache
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libpq-dev libsqlite3-dev libfmt-dev libyaml-cpp-dev libsodium-dev libsystemd-dev libssl-dev
  python3 python3-venv python3-jinja2"
test_packages="python3-pytest sqlite3 postgresql chromium nginx-light wrk clang libclang-rt-14-dev buildah"

wanted="$build_packages"
[ "${1:-build}" = "test" ] && wanted="$wanted $test_packages"

missing=""
for p in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
# npm comes with Node.js (Debian's nodejs+npm, or NodeSource's nodejs).
if ! command -v npm >/dev/null 2>&1; then
  missing="$missing nodejs npm"
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q $missing
else
  echo "missing Debian packages:$missing" >&2
  echo "run: sudo apt-get install -y$missing" >&2
  exit 1
fi
