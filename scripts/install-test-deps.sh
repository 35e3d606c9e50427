#!/bin/sh
# Installs what the tests need besides node_modules on a Debian or Ubuntu machine: a Chromium for the
# end-to-end tests (playwright-core drives it; it never downloads one itself), exiftool (the XMP
# sidecar tests check that other tools read what the app writes) and fonts. `npm run test:fresh` runs
# this, then `npm ci` and `npm test`.
set -eu

packages="libimage-exiftool-perl fonts-dejavu-core"
need_chromium=1
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then need_chromium=0; fi
if [ -x /usr/bin/chromium ]; then need_chromium=0; fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if ! command -v exiftool >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu || [ "$need_chromium" -eq 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # Debian packages Chromium itself; Ubuntu's "chromium" is only a stub that installs a snap.
  if [ "$need_chromium" -eq 1 ] && apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]' &&
    ! apt-cache show chromium 2>/dev/null | grep -qi 'snap'; then
    packages="$packages chromium"
    need_chromium=0
  fi
  $sudo apt-get install -y -qq $packages >/dev/null
fi

if [ "$need_chromium" -eq 1 ]; then
  # Ubuntu: Playwright's own Chromium build, with the libraries it needs.
  echo "install-test-deps: installing Playwright's Chromium (set CHROMIUM_PATH to use another)"
  $sudo npx --yes playwright-core install --with-deps chromium
fi
echo "install-test-deps: chromium, exiftool and fonts are there"
