#!/usr/bin/env bash
# Makes a systemd user manager reachable through `systemctl --user`.
#
#   user-manager.sh ensure   use the caller's own user manager if it answers; otherwise, when we are
#                            root without a systemd PID 1 (containers, CI), start a private
#                            `systemd --user` and print the pid file that `stop` needs.
#   user-manager.sh stop     stop the private manager that `ensure` started (by its pid), if any.
#
# Prints `XDG_RUNTIME_DIR=...` on success so callers can export it. Exit status 1 with one line on
# stderr when no manager can be had.
set -euo pipefail

runtime_dir="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"
pid_file="$runtime_dir/sd-agent-private-manager.pid"

manager_answers() {
  local state
  state=$(XDG_RUNTIME_DIR="$runtime_dir" timeout 5 systemctl --user is-system-running 2>/dev/null || true)
  case "$state" in running | degraded | starting) return 0 ;; *) return 1 ;; esac
}

ensure() {
  if manager_answers; then
    echo "XDG_RUNTIME_DIR=$runtime_dir"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "user-manager.sh: no systemd user manager answers 'systemctl --user' (XDG_RUNTIME_DIR=$runtime_dir) and we are not root, so none can be started; log in through a session that has one (loginctl enable-linger \$USER)" >&2
    return 1
  fi
  if [ ! -x /lib/systemd/systemd ]; then
    echo "user-manager.sh: /lib/systemd/systemd is missing; install the 'systemd' package" >&2
    return 1
  fi
  # systemd --user refuses to run unless it believes systemd is the init system.
  mkdir -p /run/systemd/system "$runtime_dir"
  chmod 700 "$runtime_dir"
  XDG_RUNTIME_DIR="$runtime_dir" setsid /lib/systemd/systemd --user </dev/null >"$runtime_dir/sd-agent-private-manager.log" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 1 100); do
    if manager_answers; then
      echo "XDG_RUNTIME_DIR=$runtime_dir"
      return 0
    fi
    sleep 0.1
  done
  echo "user-manager.sh: started /lib/systemd/systemd --user (pid $(cat "$pid_file")) but it did not answer within 10 s; see $runtime_dir/sd-agent-private-manager.log" >&2
  return 1
}

stop() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  *) echo "usage: user-manager.sh ensure|stop" >&2; exit 2 ;;
esac
