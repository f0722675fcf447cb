#!/usr/bin/env bash
# A private PostgreSQL server for the tests that need one (`douyin download --state postgres://…`).
#
#   source .ci/postgres.sh start   installs the distribution's package if missing, starts a server on 127.0.0.1 with
#                                  its own data directory and a free port, exports DOUYIN_TEST_POSTGRES
#   .ci/postgres.sh stop DIR       stops the server whose data directory is DIR (DOUYIN_TEST_POSTGRES_DIR)
#   .ci/postgres.sh restart DIR    restarts it (fast: open connections are cut), same port and options
#
# initdb refuses to run as root, so as root the server runs as the package's `postgres` user. Nothing outside the
# data directory (under $TMPDIR) is touched besides installing the package; the server trusts local connections only.

douyin_pg_bin() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "postgres.sh: installing PostgreSQL (Debian's package)" >&2
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        else
            sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        fi
        bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
    [ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL server found" >&2; return 1; }
    echo "$bin"
}

# Runs a server program as the data directory's owner.
douyin_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

douyin_pg_free_port() {
    local port
    for port in $(seq 55432 55532); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

douyin_pg_start() {
    local bin dir port
    bin=$(douyin_pg_bin) || return 1
    dir=$(mktemp -d "${TMPDIR:-/tmp}/douyin-pg.XXXXXX") || return 1
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$dir"
    fi
    chmod 700 "$dir"
    port=$(douyin_pg_free_port) || { echo "postgres.sh: no free port" >&2; return 1; }
    douyin_pg_as_owner "$bin/initdb" -D "$dir/data" -U douyin --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    douyin_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    douyin_pg_as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U douyin douyin \
        || { douyin_pg_stop "$dir"; return 1; }
    export DOUYIN_TEST_POSTGRES="postgres://douyin@127.0.0.1:$port/douyin"
    export DOUYIN_TEST_POSTGRES_DIR="$dir"
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port (data in $dir)" >&2
}

douyin_pg_stop() {
    local dir=${1:-${DOUYIN_TEST_POSTGRES_DIR:-}} bin
    [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    douyin_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

douyin_pg_restart() {
    local dir=${1:-${DOUYIN_TEST_POSTGRES_DIR:-}} bin
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "postgres.sh: no data directory to restart" >&2; return 1; }
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    # pg_ctl restart reuses the options the server was started with (postmaster.opts).
    douyin_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w restart >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
}

case "${1:-}" in
    start) douyin_pg_start ;;
    stop) douyin_pg_stop "${2:-}" ;;
    restart) douyin_pg_restart "${2:-}" ;;
    *) echo "usage: source .ci/postgres.sh start | .ci/postgres.sh stop|restart [DIR]" >&2; return 2 2>/dev/null || exit 2 ;;
esac
