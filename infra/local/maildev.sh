#!/usr/bin/env bash
# MailDev (npm `maildev`), a local SMTP server with a web UI and REST API, for trying and testing SMTP mail.
#
#   infra/local/maildev.sh install                      # into .tools/maildev; does nothing when already installed
#   infra/local/maildev.sh start [smtp-port] [web-port] # default 1025 1080; prints smtp=… web=…
#   infra/local/maildev.sh stop  [smtp-port]            # stops the instance started on that SMTP port
#
# Then:  PIPELINE_SMTP__HOST=127.0.0.1 PIPELINE_SMTP__PORT=1025 ./run.sh   and read mail at the web address.
# Binds 127.0.0.1 only. One pid file per SMTP port (.tools/maildev/run/<smtp-port>.pid), so several may run.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

# Pinned: 2.x keeps the REST API the tests read (GET /email); 3.0 is a rewrite into @maildev/* packages.
# 2.2.1 needs Node >= 18 (checked on Node 20).
VERSION="2.2.1"
prefix="$PWD/.tools/maildev"
bin="$prefix/node_modules/.bin/maildev"
rundir="$prefix/run"

installed_version() {
    node -p "require('$prefix/node_modules/maildev/package.json').version" 2>/dev/null || true
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
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "maildev@$VERSION" >&2
    exec 9>&-
    [[ -x "$bin" ]] || { echo "maildev.sh: npm install did not produce $bin" >&2; exit 1; }
}

is_running() {
    local pidfile="$1"
    [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
    local smtp="${1:-1025}" web="${2:-1080}"
    [[ -x "$bin" ]] || install
    mkdir -p "$rundir"
    local pidfile="$rundir/$smtp.pid" log="$rundir/$smtp.log"
    if is_running "$pidfile"; then
        echo "maildev.sh: already running on SMTP port $smtp (pid $(cat "$pidfile"))" >&2
        exit 1
    fi
    # setsid: its own process group, so the caller's shell ending does not take it down.
    setsid "$bin" --ip 127.0.0.1 --web-ip 127.0.0.1 --smtp "$smtp" --web "$web" </dev/null >"$log" 2>&1 &
    local pid=$!
    echo "$pid" >"$pidfile"
    for _ in $(seq 1 150); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$web/email" 2>/dev/null; then
            echo "smtp=127.0.0.1:$smtp web=http://127.0.0.1:$web"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$pidfile"
            echo "maildev.sh: maildev exited; its log ($log):" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    echo "maildev.sh: maildev did not answer on http://127.0.0.1:$web within 15 s; its log ($log):" >&2
    cat "$log" >&2
    exit 1
}

stop() {
    local smtp="${1:-1025}"
    local pidfile="$rundir/$smtp.pid"
    rm -f "$rundir/$smtp.log"
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
    start)   start "${2:-}" "${3:-}" ;;
    stop)    stop "${2:-}" ;;
    *)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
