#!/usr/bin/env bash
# Runs its arguments with a private, unlocked Secret Service (gnome-keyring) on a private D-Bus
# session bus, so keychain tests use the real thing without touching the user's own keyring.
#
#   bash scripts/with-keyring.sh npx vitest run --project integration test/integration/secrets
#
# Sets AUDIT_ARCHIVE_TEST_KEYRING=1 for the command once the Secret Service answers; exits with the
# command's exit code. If the keyring cannot be started it says so and runs the command without
# that variable, so keychain tests skip (or fail under CI=true) instead of failing obscurely.
# Why each step is there: docs/TESTING.md ("The OS keychain, headless").
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: with-keyring.sh COMMAND [ARGS...]" >&2
  exit 2
fi

if [ "${1:-}" != "--inside-session" ]; then
  for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "with-keyring.sh: $tool not found; install it with: apt-get install -y dbus gnome-keyring libsecret-tools" >&2
      exit 127
    fi
  done
  workdir="$(mktemp -d "${TMPDIR:-/tmp}/audit-archive-keyring.XXXXXX")"
  trap 'rm -rf "$workdir"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # gnome-keyring refuses a runtime dir that others can read.
  mkdir -m 700 "$workdir/data" "$workdir/runtime"
  # dbus-daemon warns on every start that it may not raise its fd limit, noise in every test run:
  # its stderr goes to a log that is shown only if the run fails. (A `2> >(grep ...)` filter would
  # hold dbus-run-session's address pipe open and hang it.)
  daemon="$workdir/dbus-daemon"
  printf '#!/bin/sh\nexec dbus-daemon "$@" 2>>"%s/dbus-daemon.log"\n' "$workdir" >"$daemon"
  chmod +x "$daemon"
  rc=0
  XDG_DATA_HOME="$workdir/data" XDG_RUNTIME_DIR="$workdir/runtime" \
    dbus-run-session --dbus-daemon="$daemon" -- bash "$0" --inside-session "$@" || rc=$?
  if [ "$rc" -ne 0 ] && grep -qv "Failed to set fd limit" "$workdir/dbus-daemon.log" 2>/dev/null; then
    echo "with-keyring.sh: dbus-daemon said:" >&2
    grep -v "Failed to set fd limit" "$workdir/dbus-daemon.log" >&2 || true
  fi
  exit "$rc"
fi

# Inside the private session bus.
shift
export_lines() {
  local line
  while IFS= read -r line; do
    case "$line" in
      *=*) export "${line?}" ;;
    esac
  done
}

bus_call() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus "$@" 2>/dev/null
}

# --unlock creates the default "login" collection with this password and unlocks it; --start then
# registers the Secret Service on this bus. Each prints variables (GNOME_KEYRING_CONTROL, ...) to export.
export_lines < <(printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null || true)
export_lines < <(gnome-keyring-daemon --start --components=secrets 2>/dev/null || true)

if bus_call org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q 'boolean true'; then
  export AUDIT_ARCHIVE_TEST_KEYRING=1
else
  echo "with-keyring.sh: gnome-keyring did not start a Secret Service; running without a test keyring." >&2
fi

rc=0
"$@" || rc=$?

# The daemon would exit with the bus, but stop it explicitly so nothing outlives the session.
daemon_pid="$(bus_call org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets |
  awk '/uint32/ { print $2 }' || true)"
if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; fi
exit "$rc"
