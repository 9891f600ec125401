#!/usr/bin/env bash
# Quick-start demo: an unmodified Jetty 12 server run by this machine's systemd as a Type=notify
# service with the agent, printing what systemd saw: activating -> active with the ready STATUS,
# the agent's watchdog pings, and the STOPPING status on stop.
#
#   integration-tests/demo.sh [--no-build] [--java PATH]
#
#   --no-build   use the jars already built (agent/target/sd-agent.jar, integration-tests/apps/jetty)
#   --java PATH  the java to run Jetty with (default: $JAVA_HOME/bin/java, else java on PATH)
#
# Uses the caller's own systemd user manager; where none answers and we are root (containers, CI),
# starts a private one with user-manager.sh and stops it again afterwards. Exits non-zero when
# systemd did not see what it should have.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=1
java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --java) java="$2"; shift ;;
    *) echo "usage: integration-tests/demo.sh [--no-build] [--java PATH]" >&2; exit 2 ;;
  esac
  shift
done
java="${java:-$(command -v java)}"

# Overridable so the suite can run the demo on two JDKs side by side.
unit="${DEMO_UNIT:-sdagent-it-demo}"
port="${DEMO_PORT:-18480}"
agent="${DEMO_AGENT_JAR:-$root/agent/target/sd-agent.jar}"
app="$root/integration-tests/apps/jetty/target/app.jar"
hook=org.eclipse.jetty.server.Server#start
logs=$(mktemp -d /tmp/sdagent-demo.XXXXXX)

if [ "$build" = 1 ]; then
  echo "== building the agent and the sample Jetty app (mvn -DskipTests package; log: $logs/build.log)"
  if ! mvn -B -DskipTests -pl agent,integration-tests/apps/jetty -am package >"$logs/build.log" 2>&1; then
    tail -40 "$logs/build.log" >&2
    echo "demo.sh: the build failed; the whole log is $logs/build.log" >&2
    exit 1
  fi
fi
for jar in "$agent" "$app"; do
  [ -f "$jar" ] || { echo "demo.sh: $jar is missing; run without --no-build" >&2; exit 1; }
done

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"
own_manager=0
case "$(timeout 5 systemctl --user is-system-running 2>/dev/null || true)" in
  running | degraded | starting) manager_answers=1 ;;
  *) manager_answers=0 ;;
esac
if [ "$manager_answers" = 0 ]; then
  echo "== no systemd user manager answers: starting a private one (integration-tests/user-manager.sh)"
  eval "export $(bash integration-tests/user-manager.sh ensure)"
  own_manager=1
fi
cleanup() {
  systemctl --user stop "$unit" >/dev/null 2>&1 || true
  systemctl --user reset-failed "$unit" >/dev/null 2>&1 || true
  if [ "$own_manager" = 1 ]; then bash integration-tests/user-manager.sh stop; fi
}
trap cleanup EXIT
systemctl --user stop "$unit" >/dev/null 2>&1 || true
systemctl --user reset-failed "$unit" >/dev/null 2>&1 || true

cat <<EOF
== the service (what a unit file would say):
   [Service]
   Type=notify
   WatchdogSec=4
   SuccessExitStatus=143
   Environment=PORT=$port SAMPLE_START_DELAY_MS=1500 SAMPLE_STOP_DELAY_MS=3000
   ExecStart=$java -javaagent:$agent=ready=$hook -jar $app
   (the app sleeps 1.5 s before starting Jetty, and 3 s in a shutdown hook, so each phase shows)
== what systemd saw:
EOF

start=$(date +%s%N)
elapsed_ms() { echo $(( ($(date +%s%N) - start) / 1000000 )); }
say() { printf '[%5.1fs] %s\n' "$(elapsed_ms)e-3" "$*"; }
# One `systemctl show` per poll, into active, sub, status, ping (monotonic time of the last WATCHDOG=1).
poll() {
  local key value
  active="" sub="" status="" ping="" ping_at=""
  while IFS='=' read -r key value; do
    case "$key" in
      ActiveState) active=$value ;;
      SubState) sub=$value ;;
      StatusText) status=$value ;;
      WatchdogTimestampMonotonic) ping=$value ;;
      WatchdogTimestamp) ping_at=$value ;;
    esac
  done < <(systemctl --user show "$unit" -p ActiveState,SubState,StatusText,WatchdogTimestampMonotonic,WatchdogTimestamp 2>/dev/null || true)
}
last=""
report_change() {   # prints ActiveState/SubState and STATUS whenever they change
  local now="$active/$sub STATUS=\"$status\""
  if [ "$now" != "$last" ]; then say "$now"; last="$now"; fi
}

# systemd hands ExecStopPost its account of the exit in SERVICE_RESULT, EXIT_CODE and EXIT_STATUS.
printf '#!/bin/sh\necho "$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS" > %s/exit\n' "$logs" > "$logs/record-exit.sh"
systemd-run --user --no-block --quiet --unit="$unit" \
  -p Type=notify -p WatchdogSec=4 -p SuccessExitStatus=143 -p TimeoutStartSec=90 \
  -p StandardOutput="file:$logs/stdout" -p StandardError="file:$logs/stderr" \
  -p "ExecStopPost=/bin/sh $logs/record-exit.sh" \
  -E PORT="$port" -E SAMPLE_START_DELAY_MS=1500 -E SAMPLE_STOP_DELAY_MS=3000 \
  "$java" "-javaagent:$agent=ready=$hook" -jar "$app"

saw_activating=0 saw_active=0 pings=0 saw_stopping=0
while [ "$(elapsed_ms)" -lt 90000 ]; do
  poll
  report_change
  case "$active" in
    activating) saw_activating=1 ;;
    active) saw_active=1; break ;;
    failed) break ;;
  esac
  sleep 0.1
done
if [ "$saw_active" = 1 ]; then
  say "GET http://127.0.0.1:$port/ -> $(curl -s -m 5 "http://127.0.0.1:$port/" || echo 'no answer')"
  last_ping=$ping
  until=$(( $(elapsed_ms) + 8000 ))   # two watchdog periods; the agent pings every 2 s (half of WatchdogSec)
  while [ "$(elapsed_ms)" -lt "$until" ]; do
    sleep 0.1
    poll
    if [ "$ping" != "$last_ping" ]; then
      pings=$((pings + 1)); last_ping=$ping
      say "WATCHDOG=1 received (systemd's last-ping time: $ping_at); still $active/$sub"
    fi
  done
  say "systemctl --user stop $unit"
  systemctl --user stop --no-block "$unit"
  until=$(( $(elapsed_ms) + 30000 ))
  while [ "$(elapsed_ms)" -lt "$until" ] && [ ! -s "$logs/exit" ]; do
    poll
    report_change
    if [ "$active" = deactivating ] && [ -n "$status" ] && [[ "$status" != Ready* ]]; then
      saw_stopping=1
    fi
    sleep 0.1
  done
fi
say "exit as systemd accounted it (SERVICE_RESULT EXIT_CODE EXIT_STATUS): $(cat "$logs/exit" 2>/dev/null || echo none)"
echo "== the agent's own lines on stderr ($logs/stderr):"
grep -i 'sd-agent' "$logs/stderr" | sed 's/^/   /' || echo "   (none)"

verdict="activating=$saw_activating active=$saw_active watchdog-pings=$pings stopping-status=$saw_stopping"
if [ "$saw_activating" = 1 ] && [ "$saw_active" = 1 ] && [ "$pings" -ge 2 ] && [ "$saw_stopping" = 1 ]; then
  echo "demo: OK ($verdict)"
else
  echo "demo: FAILED ($verdict); the service's output is in $logs" >&2
  exit 1
fi
