#!/usr/bin/env bash
# A JDK 11, for the tests of the agent's JDK 11 bind interception (ServerSocket's PlainSocketImpl and the NIO
# channels' JDK 11 bind methods). Debian bookworm has no JDK 11 and Maven Central has none; bullseye-security,
# served by the same Debian mirror as the machine's own security entry, has openjdk-11.
#
#   jdk11.sh ensure   download openjdk-11-jre-headless and openjdk-11-jdk-headless from bullseye-security with
#                     apt (signature-checked, with a private source list and list directory: the machine's apt
#                     configuration is not changed), unpack them into a private directory (nothing is installed)
#                     and replace the package's absolute links into /etc/java-11-openjdk by the files themselves.
#                     Idempotent. Prints `SDAGENT_JDK11=<java home>`.
#
# Needs root (apt). Exit status 1 with one line on stderr when it cannot be done.
set -euo pipefail

home="${SDAGENT_JDK11_HOME:-/var/tmp/sd-agent-jdk11}"
java_home="$home/root/usr/lib/jvm/java-11-openjdk-amd64"
suite=bullseye-security

die() {
  echo "jdk11.sh: $*" >&2
  exit 1
}

# "URI|keyring" of the machine's Debian security entry (deb822 .sources files, then one-line .list files).
security_source() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '
      function flush() {
        if (uri ~ /debian-security/) { print uri "|" key; done = 1; exit }
        uri = ""; key = ""
      }
      /^[ \t]*$/ { flush(); next }
      /^URIs:/ { uri = $2 }
      /^Signed-By:/ { key = $2 }
      END { if (!done) flush() }
    ' "$file" | head -n 1
  done | head -n 1
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    sed -n -E 's/^deb[ \t]+(\[[^]]*\][ \t]+)?([^ \t]*debian-security[^ \t]*)[ \t].*/\2|/p' "$file" | head -n 1
  done | head -n 1
}

unpack() {
  [ -x "$java_home/bin/javac" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "apt-get and dpkg-deb are needed"
  local entry uri key list apt_opts downloads deb link target
  entry=$(security_source | head -n 1)
  uri=${entry%%|*}
  key=${entry#*|}
  [ -n "$uri" ] || uri=http://deb.debian.org/debian-security
  [ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "$home/lists/partial"
  list="$home/bullseye-security.sources"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' "$uri" "$suite" "$key" >"$list"
  apt_opts=(-o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$home/lists"
    -o APT::Sandbox::User=root)
  apt-get update -qq "${apt_opts[@]}" || die "apt-get update of $list failed"
  downloads=$(mktemp -d)
  (cd "$downloads" && apt-get download -qq "${apt_opts[@]}" \
    "openjdk-11-jre-headless/$suite" "openjdk-11-jdk-headless/$suite") || die "could not download openjdk-11 from $suite"
  rm -rf "$home/root.partial"
  mkdir -p "$home/root.partial"
  for deb in "$downloads"/*.deb; do
    dpkg-deb -x "$deb" "$home/root.partial"
  done
  rm -rf "$downloads"
  # The package links conf/ and lib/ files to /etc/java-11-openjdk, which is in the package too but not here.
  local jdk="$home/root.partial/usr/lib/jvm/java-11-openjdk-amd64"
  while IFS= read -r link; do
    target=$(readlink "$link")
    [ -e "$home/root.partial$target" ] || continue
    rm "$link"
    cp "$home/root.partial$target" "$link"
  done < <(find "$jdk" -type l -lname '/etc/*')
  rm -rf "$home/root"
  mv "$home/root.partial" "$home/root"
  "$java_home/bin/java" -version >/dev/null 2>&1 || die "the unpacked JDK 11 does not start: $java_home/bin/java"
}

[ "$(id -u)" = 0 ] || die "must run as root (apt)"
case "${1:-}" in
  ensure)
    mkdir -p "$home"
    unpack
    echo "SDAGENT_JDK11=$java_home"
    ;;
  *) echo "usage: jdk11.sh ensure" >&2; exit 2 ;;
esac
