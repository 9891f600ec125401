#!/usr/bin/env bash
# A private systemd user manager (the machine's own /lib/systemd/systemd), for tests that must do to a manager
# what must never be done to the shared one other sessions and tests use: `systemctl --user daemon-reexec`.
#
#   private-manager.sh start NAME   start it in a cgroup of its own (/sys/fs/cgroup/.../NAME/init.scope), with
#                                   XDG_RUNTIME_DIR=/tmp/NAME/runtime; prints XDG_RUNTIME_DIR=... once it answers
#   private-manager.sh stop NAME    stop it (by the pid it recorded) and remove its cgroups
#
# Like integration-tests/systemd254.sh: the manager takes the parent of its init.scope as its root, so it
# neither sees nor stops the units of any other manager. Root only (it creates cgroups).
set -euo pipefail

name="${2:?usage: private-manager.sh start|stop NAME}"
home="/tmp/$name"
runtime_dir="$home/runtime"
pid_file="$home/manager.pid"

die() { echo "private-manager.sh: $*" >&2; exit 1; }

manager_answers() {
  local state
  state=$(XDG_RUNTIME_DIR="$runtime_dir" timeout 5 systemctl --user is-system-running 2>/dev/null || true)
  case "$state" in running | degraded | starting) return 0 ;; *) return 1 ;; esac
}

hierarchies() {
  local dir
  for dir in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -f "$dir/cgroup.procs" ] && echo "$dir/$name"
  done
  return 0
}

start() {
  [ "$(id -u)" = 0 ] || die "must run as root (it creates cgroups)"
  [ -x /lib/systemd/systemd ] || die "/lib/systemd/systemd is missing"
  mkdir -p "$home/config" "$home/data" "$runtime_dir" /run/systemd/system
  chmod 700 "$runtime_dir"
  local scopes=() dir
  for dir in $(hierarchies); do
    mkdir -p "$dir/init.scope"
    scopes+=("$dir/init.scope")
  done
  [ ${#scopes[@]} -gt 0 ] || die "found no cgroup hierarchy to put the manager in"
  # The subshell moves itself into the cgroups, then becomes the manager (exec keeps the pid).
  setsid sh -c '
    for procs in "$@"; do echo $$ >"$procs/cgroup.procs"; done
    exec env -u NOTIFY_SOCKET -u DBUS_SESSION_BUS_ADDRESS -u LISTEN_PID -u LISTEN_FDS XDG_RUNTIME_DIR="'"$runtime_dir"'" \
      XDG_CONFIG_HOME="'"$home"'/config" XDG_DATA_HOME="'"$home"'/data" /lib/systemd/systemd --user
  ' sh "${scopes[@]}" </dev/null >"$home/manager.log" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 1 150); do
    if manager_answers; then
      echo "XDG_RUNTIME_DIR=$runtime_dir"
      return 0
    fi
    kill -0 "$(cat "$pid_file")" 2>/dev/null || break
    sleep 0.1
  done
  die "the private user manager did not answer within 15 s; see $home/manager.log"
}

stop() {
  if [ -f "$pid_file" ]; then
    local pid
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pid_file"
  fi
  local dir
  for dir in $(hierarchies); do # deepest first; a cgroup with processes left stays
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$home"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: private-manager.sh start|stop NAME" >&2; exit 2 ;;
esac
