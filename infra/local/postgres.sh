#!/usr/bin/env bash
# A private PostgreSQL cluster for running Pipeline scale-out on one machine (tests start their own).
#
#   infra/local/postgres.sh start [dir] [port]   # default dir ./data/postgres, port 55432; prints the connection string
#   infra/local/postgres.sh stop  [dir]
#
# Then:  PIPELINE_DURABLE__POSTGRES="<printed string>" ./run.sh   (start several, each with its own --urls)
# initdb/postgres refuse to run as root, so as root they run as the postgres user.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

infra/local/install-deps.sh postgresql
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
action="${1:-}"
dir="$(readlink -f "${2:-data/postgres}")"
port="${3:-55432}"

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
    start)
        mkdir -p "$dir"
        [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
        chmod 0700 "$dir"
        if [[ ! -f "$dir/data/PG_VERSION" ]]; then
            as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
        fi
        as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
        echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
        ;;
    stop)
        as_owner "$bin/pg_ctl" -D "$dir/data" -w stop -m fast
        ;;
    *)
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
