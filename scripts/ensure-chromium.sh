#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (a Playwright browser download does not work here):
# installs it when /usr/bin/chromium is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is not installed: run 'sudo apt-get install -y chromium'." >&2
  exit 1
fi
echo "installing chromium" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
