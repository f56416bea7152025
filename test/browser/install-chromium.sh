#!/usr/bin/env bash
# Installs Debian's chromium (the headless browser of the report's browser test) when it is missing.
# Idempotent: does nothing when /usr/bin/chromium exists. Needs root and apt (CI runs as root on a
# fresh Debian machine). Nothing else is downloaded: playwright-core drives this browser through
# its executablePath and never fetches a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: /usr/bin/chromium is present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: /usr/bin/chromium is missing and this script needs root to install it (apt-get install chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
