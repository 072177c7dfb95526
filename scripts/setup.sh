#!/usr/bin/env bash
# Installs what Verdict needs to build and test, from Debian's packages, when
# missing (`time`: GNU time, which measures the peak memory of CLI cases;
# python3 and python3-yaml: CLI cases generate files with them).
set -euo pipefail
packages=(g++ cmake ninja-build pkg-config tao-pegtl-dev libyaml-cpp-dev libfmt-dev doctest-dev
          libcli11-dev nlohmann-json3-dev libssl-dev libbenchmark-dev chromium time python3 python3-yaml)
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

# valijson (JSON Schema validator, header-only): Debian's package depends on Qt
# and Poco, so only its headers are unpacked, into .deps/ in the project.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$root/.deps/valijson/usr/include/valijson/validator.hpp" ]; then
  tmp=$(mktemp -d)
  ( cd "$tmp" && apt-get download libvalijson-dev >/dev/null 2>&1 ) || {
    [ "$(id -u)" -eq 0 ] && apt-get update -qq && ( cd "$tmp" && apt-get download libvalijson-dev >/dev/null 2>&1 ); } || true
  if ls "$tmp"/libvalijson-dev_*.deb >/dev/null 2>&1; then
    mkdir -p "$root/.deps/valijson"
    dpkg-deb -x "$tmp"/libvalijson-dev_*.deb "$root/.deps/valijson"
    echo "setup: unpacked valijson headers into .deps/valijson" >&2
  else
    echo "setup: could not download libvalijson-dev; the schema cross-check test will be skipped" >&2
  fi
  rm -rf "$tmp"
fi
