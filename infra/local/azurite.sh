#!/usr/bin/env bash
# Azurite (npm `azurite`), Microsoft's local Azure Storage emulator (blob, queue, table), for the azureStorage
# durable provider (host.json extensions.durableTask.storageProvider.type "azureStorage").
#
#   infra/local/azurite.sh install              # into .tools/azurite; does nothing when already installed
#   infra/local/azurite.sh start [blob-port]    # default 10000 (queue +1, table +2); prints the connection string
#   infra/local/azurite.sh stop  [blob-port]    # stops the instance started on that blob port
#
# Then:  AzureWebJobsStorage=UseDevelopmentStorage=true ./run.sh   (with the default ports).
# Binds 127.0.0.1 only; data in .tools/azurite/run/<blob-port>/. One pid file per blob port, so several may run.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

# Pinned: the version measured with DurableTask.AzureStorage 2.11.3 (see README, durable providers).
# 3.37.0 needs Node >= 18 (checked on Node 20).
VERSION="3.37.0"
prefix="$PWD/.tools/azurite"
bin="$prefix/node_modules/.bin/azurite"
rundir="$prefix/run"

installed_version() {
    node -p "require('$prefix/node_modules/azurite/package.json').version" 2>/dev/null || true
}

install() {
    # Debian's nodejs and npm only when the machine has no Node.js at all: a Node.js installed otherwise
    # (NodeSource, nvm) already brings npm, and Debian's npm would conflict with it.
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh" nodejs npm
    fi
    mkdir -p "$prefix"
    # Tests and people may install at the same time: one installer at a time, the rest find it done.
    exec 9>"$prefix/.install.lock"
    flock 9
    if [[ -x "$bin" && "$(installed_version)" == "$VERSION" ]]; then
        exec 9>&-
        return 0
    fi
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "azurite@$VERSION" >&2
    exec 9>&-
    [[ -x "$bin" ]] || { echo "azurite.sh: npm install did not produce $bin" >&2; exit 1; }
}

is_running() {
    local pidfile="$1"
    [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

connection_string() {
    local blob="$1" queue="$2" table="$3"
    # Azurite's well-known development account (public; the same for every Azurite).
    local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
    echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
}

start() {
    local blob="${1:-10000}"
    local queue=$((blob + 1)) table=$((blob + 2))
    [[ -x "$bin" ]] || install
    mkdir -p "$rundir/$blob"
    local pidfile="$rundir/$blob.pid" log="$rundir/$blob.log"
    if is_running "$pidfile"; then
        echo "azurite.sh: already running on blob port $blob (pid $(cat "$pidfile"))" >&2
        exit 1
    fi
    # setsid: its own process group, so the caller's shell ending does not take it down.
    # --skipApiVersionCheck: current Azure.Storage.Blobs sends a newer service version than 3.37.0 knows.
    setsid "$bin" --silent --skipApiVersionCheck --location "$rundir/$blob" \
        --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$table" \
        </dev/null >"$log" 2>&1 &
    local pid=$!
    echo "$pid" >"$pidfile"
    for _ in $(seq 1 300); do
        # Any HTTP answer from each service means it listens (unauthenticated requests get 400/403).
        if curl -s -o /dev/null "http://127.0.0.1:$blob/" && curl -s -o /dev/null "http://127.0.0.1:$queue/" && curl -s -o /dev/null "http://127.0.0.1:$table/"; then
            connection_string "$blob" "$queue" "$table"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$pidfile"
            echo "azurite.sh: azurite exited; its log ($log):" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    echo "azurite.sh: azurite did not answer on 127.0.0.1:$blob-$table within 30 s; its log ($log):" >&2
    cat "$log" >&2
    exit 1
}

stop() {
    local blob="${1:-10000}"
    local pidfile="$rundir/$blob.pid"
    rm -f "$rundir/$blob.log"
    if ! is_running "$pidfile"; then
        rm -f "$pidfile"
        return 0
    fi
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

case "${1:-}" in
    install) install ;;
    start)   start "${2:-}" ;;
    stop)    stop "${2:-}" ;;
    *)
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
