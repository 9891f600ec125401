#!/usr/bin/env bash
# A second, private systemd user manager of version 253 or newer, for the Type=notify-reload tests
# (Debian bookworm ships systemd 252, which does not know that type; bookworm-backports has 254).
#
#   systemd254.sh ensure   enable the backports suite next to the machine's Debian source entry (same URI,
#                          same keyring), unpack its `systemd` and `libsystemd-shared` packages into a private
#                          prefix (nothing is installed: the machine's own systemd stays as it is) and start a
#                          user manager from there, in a cgroup and a runtime directory of its own, so it never
#                          touches the machine's user manager or its units. Idempotent: reuses what is there.
#                          Prints `SDAGENT_SYSTEMD254=<dir>`: <dir>/bin has `systemctl` and `systemd-run` wrappers
#                          that talk to that manager (they set XDG_RUNTIME_DIR themselves).
#   systemd254.sh stop     stop that manager (by the pid `ensure` recorded), if it runs.
#
# Needs root (cgroups, apt). Exit status 1 with one line on stderr when it cannot be done.
set -euo pipefail

home="${SDAGENT_SYSTEMD254_HOME:-/var/tmp/sd-agent-systemd254}"
prefix="$home/root"
runtime_dir="$home/run"
cgroup_name="sd-agent-systemd254"
pid_file="$home/manager.pid"
libdir="$prefix/usr/lib/x86_64-linux-gnu/systemd"
loader=/lib64/ld-linux-x86-64.so.2
backports_list=/etc/apt/sources.list.d/sd-agent-backports.sources

die() {
  echo "systemd254.sh: $*" >&2
  exit 1
}

codename() {
  # shellcheck disable=SC1091
  . /etc/os-release
  echo "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}"
}

# "URI|keyring" of the machine's Debian entry for the release itself (not -security, not -updates).
debian_source() {
  local release=$1 file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk -v release="$release" '
      function flush() {
        if (uri != "" && found) { print uri "|" key; done = 1; exit }
        uri = ""; key = ""; found = 0
      }
      /^[ \t]*$/ { flush(); next }
      /^URIs:/ { uri = $2 }
      /^Signed-By:/ { key = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == release) found = 1 }
      END { if (!done) flush() }
    ' "$file" | head -n 1
  done | head -n 1
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    # deb [options] URI suite components...
    sed -n -E "s/^deb[ \t]+(\[[^]]*\][ \t]+)?([^ \t]+)[ \t]+$release[ \t].*/\2|/p" "$file" | head -n 1
  done | head -n 1
}

enable_backports() {
  local release entry uri key
  release=$(codename)
  [ -f "$backports_list" ] && return 0
  entry=$(debian_source "$release" | head -n 1)
  [ -n "$entry" ] || die "no Debian source entry for '$release' in /etc/apt/sources.list or /etc/apt/sources.list.d"
  uri=${entry%%|*}
  key=${entry#*|}
  {
    echo "# Written by sd-agent's integration-tests/systemd254.sh: the same mirror as the $release entry."
    echo "Types: deb"
    echo "URIs: $uri"
    echo "Suites: $release-backports"
    echo "Components: main"
    [ -n "$key" ] && echo "Signed-By: $key"
  } >"$backports_list"
}

unpack() {
  [ -n "$(in_prefix lib/systemd/systemd)" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "apt-get and dpkg-deb are needed"
  enable_backports
  local release downloads deb
  release=$(codename)
  # Refresh only the backports list: quicker, and leaves the machine's other lists alone.
  apt-get update -qq -o Dir::Etc::sourcelist="$backports_list" -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0 || die "apt-get update of $backports_list failed"
  downloads=$(mktemp -d)
  # As root into a private temporary directory (the _apt sandbox user could not write there).
  (cd "$downloads" && apt-get download -qq -o APT::Sandbox::User=root \
    "systemd/$release-backports" "libsystemd-shared/$release-backports") \
    || die "could not download systemd from $release-backports"
  rm -rf "$prefix.partial"
  mkdir -p "$prefix.partial"
  for deb in "$downloads"/*.deb; do
    dpkg-deb -x "$deb" "$prefix.partial"
  done
  rm -rf "$downloads" "$prefix"
  mv "$prefix.partial" "$prefix"
  [ -n "$(in_prefix lib/systemd/systemd)" ] || die "the unpacked packages have no lib/systemd/systemd"
}

# The unpacked file $1 (a path under / or /usr: bookworm-backports' packages are not merged-/usr), or nothing.
in_prefix() {
  local path
  for path in "$prefix/$1" "$prefix/usr/$1"; do
    [ -x "$path" ] && { echo "$path"; return 0; }
  done
}

# The unpacked binaries find their private libraries through the dynamic loader's --library-path, not
# LD_LIBRARY_PATH: the manager passes its environment on to the services it starts.
write_wrappers() {
  mkdir -p "$home/bin"
  local tool binary
  for tool in systemctl systemd-run; do
    binary=$(in_prefix "bin/$tool")
    [ -n "$binary" ] || die "the unpacked packages have no $tool"
    cat >"$home/bin/$tool" <<EOF
#!/bin/sh
# systemd 254's $tool, talking to the private manager of integration-tests/systemd254.sh
XDG_RUNTIME_DIR="$runtime_dir" exec $loader --library-path "$libdir" --argv0 $tool "$binary" --user "\$@"
EOF
    chmod +x "$home/bin/$tool"
  done
}

manager_answers() {
  local state
  state=$(timeout 5 "$home/bin/systemctl" is-system-running 2>/dev/null || true)
  case "$state" in running | degraded | starting) return 0 ;; *) return 1 ;; esac
}

start_manager() {
  [ -d /sys/fs/cgroup ] || die "no /sys/fs/cgroup"
  # A cgroup of its own in every hierarchy that tracks processes: the manager takes the parent of its
  # init.scope as its root, so it neither sees nor stops the units of the machine's user manager.
  local hierarchies=() dir
  for dir in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    if [ -f "$dir/cgroup.procs" ]; then
      hierarchies+=("$dir/$cgroup_name/init.scope")
      mkdir -p "$dir/$cgroup_name/init.scope"
    fi
  done
  [ ${#hierarchies[@]} -gt 0 ] || die "found no cgroup hierarchy to put the manager in"
  mkdir -p /run/systemd/system "$runtime_dir"
  chmod 700 "$runtime_dir"
  # The subshell moves itself into the cgroups, then becomes the manager (exec keeps the pid).
  setsid sh -c '
    for procs in "$@"; do echo $$ >"$procs/cgroup.procs"; done
    exec env -u LD_LIBRARY_PATH -u NOTIFY_SOCKET -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="'"$runtime_dir"'" \
      XDG_CONFIG_HOME="'"$home"'/config" XDG_DATA_HOME="'"$home"'/data" \
      '"$loader"' --library-path "'"$libdir"'" --argv0 systemd "'"$(in_prefix lib/systemd/systemd)"'" --user
  ' sh "${hierarchies[@]}" </dev/null >"$home/manager.log" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 1 150); do
    manager_answers && return 0
    kill -0 "$(cat "$pid_file")" 2>/dev/null || break
    sleep 0.1
  done
  die "the systemd 254 user manager did not answer within 15 s; see $home/manager.log"
}

ensure() {
  [ "$(id -u)" = 0 ] || die "must run as root (it unpacks packages and creates cgroups)"
  mkdir -p "$home"
  unpack
  write_wrappers
  manager_answers || start_manager
  echo "SDAGENT_SYSTEMD254=$home"
}

stop() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  *) echo "usage: systemd254.sh ensure|stop" >&2; exit 2 ;;
esac
