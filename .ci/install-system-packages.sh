#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: Chromium (UI tests), Ceph RADOS Gateway
# (real S3 Object Lock), gnome-keyring + libsecret (real Secret Service for keytar).
set -euo pipefail
pkgs=(chromium xvfb ceph-mon ceph-osd radosgw ceph-common curl libsecret-1-dev gnome-keyring dbus dbus-x11 libsecret-tools build-essential poppler-utils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
