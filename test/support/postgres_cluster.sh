#!/bin/sh
# A throw-away PostgreSQL cluster for the tests: `start DIR` runs initdb into
# a new folder under /tmp (the server, as `postgres` when we are root, must
# reach it whatever the modes of DIR's parents) and starts it on a Unix socket
# there (trust) and on 127.0.0.1 at a free port (password), then writes the
# URLs to DIR/url and DIR/tcp_url; `stop DIR` stops it and removes both.
set -eu

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres_cluster: PostgreSQL's server is not installed (Debian package postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?usage: postgres_cluster.sh start|stop DIR}
dir=${2:?usage: postgres_cluster.sh start|stop DIR}

stop_cluster() {
  [ -f "$1/cluster" ] || return 0
  cluster=$(cat "$1/cluster")
  if [ -f "$cluster/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 ||
      as_owner "$bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  case "$cluster" in /tmp/leoflow-pg-*) rm -rf "$cluster" ;; esac
}

case "$cmd" in
start)
  stop_cluster "$dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  state=$dir
  dir=$(mktemp -d /tmp/leoflow-pg-XXXXXX)
  chmod 755 "$dir"
  echo "$dir" > "$state/cluster"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pwfile="$dir/password"
  echo "leoflow-test-password" > "$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
  as_owner "$bin/initdb" -D "$dir/data" -U leoflow --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # Test settings: fast and throw-away, never durable.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h "$dir" -p "$port" -U leoflow leoflow
  host=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dir")
  echo "postgresql://leoflow@$host:$port/leoflow" > "$state/url"
  echo "postgresql://leoflow:leoflow-test-password@127.0.0.1:$port/leoflow" > "$state/tcp_url"
  echo "$port" > "$state/port"
  echo "postgres_cluster: started in $dir on port $port"
  ;;
stop)
  stop_cluster "$dir"
  rm -rf "$dir"
  ;;
*)
  echo "usage: postgres_cluster.sh start|stop DIR" >&2
  exit 2
  ;;
esac
