#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages listed in .ci/system-packages.txt that are not installed yet
# (needs root: `npm run setup` calls it through sudo when it is not root). Nothing to do: no apt.
set -euo pipefail
list="$(dirname "$0")/system-packages.txt"
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all ${#pkgs[@]} installed."
  exit 0
fi
echo "Installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
