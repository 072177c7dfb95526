#!/usr/bin/env bash
# Installs what Verdict needs to build, from Debian's packages, when missing.
set -euo pipefail
packages=(g++ cmake ninja-build pkg-config tao-pegtl-dev libyaml-cpp-dev libfmt-dev doctest-dev
          libcli11-dev nlohmann-json3-dev libssl-dev libbenchmark-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
