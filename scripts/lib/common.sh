# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/test and scripts/bench. Source it; don't run it.
#
#   die MSG...                  one-line error on stderr, exit 1
#   note MSG...                 progress line on stderr, prefixed with the script's name
#   ensure_apt_packages PKG...  install those of PKG that are missing (one dpkg-query when none is)
#   ensure_packages [PKG...]    the build/run/test packages (+ PKG), then ensure_swift
#   ensure_swift                swift on PATH (adds /opt/swift/usr/bin when it is there)
#   pg_bin_dir                  prints PostgreSQL's server bin dir (PG_BIN overrides)
#   as_pg CMD...                runs CMD as the postgres user when we are root
#   pg_start DATA_DIR PORT      init (once) and start, or reuse, a loopback-only cluster;
#                               sets PG_ACTIVE_PORT ("" when PORT was taken)
#   pg_stop DATA_DIR [MODE]     stop it if it runs (MODE: fast (default) or immediate)
#   pg_port_in_use PORT         true when something accepts TCP on 127.0.0.1:PORT
#
# Clusters made here: superuser `postgres`, trust auth, UTF8, C locale, listening on
# 127.0.0.1 only, unix socket inside the data dir (TCP only when that path would be too long).

# Name used in messages: the script that sourced us.
SF_SCRIPT_NAME="${SF_SCRIPT_NAME:-$(basename "${0:-storefront}")}"

die() {
  printf '%s: error: %s\n' "$SF_SCRIPT_NAME" "$*" >&2
  exit 1
}

note() {
  printf '%s: %s\n' "$SF_SCRIPT_NAME" "$*" >&2
}

# ---------------------------------------------------------------- packages

# The packages the build, the server and the tests need on Debian 12. The PostgreSQL
# server and client are chosen by sf_pg_packages (15 where Debian has it).
SF_BASE_PACKAGES=(libpq-dev libssl-dev zlib1g-dev pkg-config ca-certificates curl openssl)

# Prints the missing ones of the given packages, one a line (none: prints nothing).
sf_missing_packages() {
  local installed
  # One dpkg-query for all; unknown packages only print to stderr.
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null | awk '$2 == "ii" {print $1}')" || true
  local pkg
  for pkg in "$@"; do
    if ! grep -qxF -- "$pkg" <<<"$installed"; then
      printf '%s\n' "$pkg"
    fi
  done
}

sf_apt_updated=0
sf_apt() {
  sf_apt_update
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo -n)
  note "apt-get install $*"
  local log
  log="$(mktemp)"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@" </dev/null >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    die "apt-get install failed: $*"
  fi
  rm -f "$log"
}

ensure_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || die "not a Debian-like system (no dpkg-query): install $* by hand"
  local missing
  mapfile -t missing < <(sf_missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  # Installing the server package must not create and start Debian's default cluster on
  # :5432; ours are private. (Only written when the file does not exist yet.)
  local pkg
  for pkg in "${missing[@]}"; do
    case "$pkg" in
      postgresql|postgresql-[0-9]*)
        if [ ! -e /etc/postgresql-common/createcluster.conf ] && [ "$(id -u)" = 0 ]; then
          mkdir -p /etc/postgresql-common
          printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.conf
        fi
        ;;
    esac
  done
  sf_apt "${missing[@]}"
}

sf_apt_update() {
  [ "$sf_apt_updated" = 1 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "packages are missing and we are not root (no sudo): run as root once"
    sudo=(sudo -n)
  fi
  note "apt-get update"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq </dev/null >/dev/null || die "apt-get update failed"
  sf_apt_updated=1
}

# Sets SF_PG_PACKAGES: PostgreSQL 15 server and client when installed or installable,
# else Debian's default version.
sf_pg_packages() {
  if [ -z "$(sf_missing_packages postgresql-15 postgresql-client-15)" ]; then
    SF_PG_PACKAGES=(postgresql-15 postgresql-client-15)
  elif [ -z "$(sf_missing_packages postgresql postgresql-client)" ]; then
    SF_PG_PACKAGES=(postgresql postgresql-client)
  else
    # Something is missing, so apt runs anyway: refresh the lists, then ask.
    sf_apt_update
    if apt-cache show postgresql-15 >/dev/null 2>&1; then
      SF_PG_PACKAGES=(postgresql-15 postgresql-client-15)
    else
      SF_PG_PACKAGES=(postgresql postgresql-client)
    fi
  fi
}

# shellcheck disable=SC2120  # extra packages are optional
ensure_packages() {
  sf_pg_packages
  ensure_apt_packages "${SF_PG_PACKAGES[@]}" "${SF_BASE_PACKAGES[@]}" "$@"
  ensure_swift
}

ensure_swift() {
  if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    PATH="/opt/swift/usr/bin:$PATH"
    export PATH
  fi
  command -v swift >/dev/null 2>&1 ||
    die "swift not found: install a Swift 6 toolchain (https://www.swift.org/install/linux/) and put its usr/bin on PATH"
}

# ---------------------------------------------------------------- PostgreSQL

pg_bin_dir() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/pg_ctl" ] || die "PG_BIN=$PG_BIN has no pg_ctl"
    echo "$PG_BIN"
    return
  fi
  if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
    echo /usr/lib/postgresql/15/bin
    return
  fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    die "no PostgreSQL server found under /usr/lib/postgresql (set PG_BIN)"
  fi
  echo "$dir"
}

# PostgreSQL refuses to run as root: run its server tools as `postgres` then, from a
# directory it can read (initdb and pg_ctl complain about an unreadable cwd).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# True when the postgres user (when root) can reach PATH (every parent traversable).
sf_pg_can_reach() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- test -x "$1" 2>/dev/null
  else
    test -x "$1"
  fi
}

pg_port_in_use() {
  # bash's /dev/tcp: a successful connect means something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Is the cluster in DATA_DIR running? (pg_ctl status: 0 running, 3 not running, 4 no data dir)
sf_pg_running() {
  [ -f "$1/PG_VERSION" ] || return 1
  as_pg "$(pg_bin_dir)/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# The port a running cluster listens on (line 4 of postmaster.pid).
sf_pg_running_port() {
  sed -n 4p "$1/postmaster.pid" 2>/dev/null
}

# pg_start DATA_DIR PORT: creates the cluster on first use, rewrites its connection
# settings (storefront.conf, included by postgresql.conf) and starts it; reuses it when it
# is already running. Sets PG_ACTIVE_PORT to the port it listens on, or to "" when PORT is
# taken by something else (so a caller can try another one). Dies on any other failure.
# Call it plainly, not inside `if`/`||`, so errexit stays on in here.
pg_start() {
  local data="$1" port="$2" bin parent sockdir
  PG_ACTIVE_PORT=""
  bin="$(pg_bin_dir)"
  case "$data" in /*) ;; *) data="$PWD/$data" ;; esac
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    die "bad PostgreSQL port '$port'"
  fi

  if sf_pg_running "$data"; then
    PG_ACTIVE_PORT="$(sf_pg_running_port "$data")"
    [ "$PG_ACTIVE_PORT" = "$port" ] ||
      note "the cluster in $data already runs on port $PG_ACTIVE_PORT (not $port): using it"
    note "reusing PostgreSQL at 127.0.0.1:$PG_ACTIVE_PORT ($data)"
    return 0
  fi

  parent="$(dirname "$data")"
  mkdir -p "$parent"
  if [ ! -f "$data/PG_VERSION" ]; then
    if [ -d "$data" ] && [ -n "$(ls -A "$data")" ]; then
      die "$data is not empty and holds no cluster: move it away"
    fi
    mkdir -p "$data"
    chmod 700 "$data"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$data"
      sf_pg_can_reach "$data" ||
        die "user postgres cannot reach $data (a parent dir lacks o+x): chmod o+x its parents or move the project"
    fi
    note "initdb $data"
    local log
    log="$(mktemp)"
    # SF_PG_INITDB_ARGS: extra initdb arguments (scripts/test passes --no-sync).
    # shellcheck disable=SC2086  # split on purpose
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C ${SF_PG_INITDB_ARGS:-} >"$log" 2>&1 ||
      die "initdb failed: $(tail -n 3 "$log" | tr '\n' ' ')"
    rm -f "$log"
    # Our settings live in a file of their own, rewritten on every start.
    printf "\n# storefront: connection settings, rewritten by scripts/lib/common.sh\ninclude_if_exists = 'storefront.conf'\n" |
      as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi

  # Unix socket inside the data dir, unless its path would pass the 107-byte limit.
  sockdir="$data"
  [ $(( ${#data} + 16 )) -le 100 ] || sockdir=""
  sockdir="${sockdir//"'"/"''"}"   # quoted for postgresql.conf
  as_pg tee "$data/storefront.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
max_connections = ${SF_PG_MAX_CONNECTIONS:-200}
log_min_messages = warning
${SF_PG_EXTRA_CONF:-}
CONF

  if pg_port_in_use "$port"; then
    note "127.0.0.1:$port is already in use"
    return 0
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null 2>&1; then
    if tail -n 20 "$data/server.log" 2>/dev/null | grep -q 'Address already in use'; then
      note "127.0.0.1:$port is already in use"
      return 0
    fi
    die "PostgreSQL did not start: $(tail -n 3 "$data/server.log" 2>/dev/null | tr '\n' ' ')"
  fi
  PG_ACTIVE_PORT="$port"
  note "PostgreSQL started at 127.0.0.1:$port ($data)"
}

pg_stop() {
  local data="$1" mode="${2:-fast}"
  case "$data" in /*) ;; *) data="$PWD/$data" ;; esac
  if sf_pg_running "$data"; then
    as_pg "$(pg_bin_dir)/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null ||
      die "could not stop PostgreSQL in $data"
    note "PostgreSQL stopped ($data)"
  fi
}
