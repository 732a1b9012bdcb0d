#!/usr/bin/env bash
# What the browser tests and the PNG posters need from the system: Debian's Chromium
# (driven by Playwright; no browser download) and the Noto CJK fonts. `make test` and
# .ci/run call this. It installs what is missing where the package manager can (root, or
# password-less sudo); where it cannot, it fails loudly with the one command to run.
# SHANGQUAN_SKIP_BROWSER_TESTS=1 opts out: the browser tests are then skipped, said aloud.
set -euo pipefail

font="${SHANGQUAN_CJK_FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"

missing_packages() {
  local missing=()
  if [ -n "${SHANGQUAN_CHROMIUM:-}" ]; then
    [ -x "$SHANGQUAN_CHROMIUM" ] || missing+=(chromium)
  else
    [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  fi
  [ -e "$font" ] || missing+=(fonts-noto-cjk)
  echo "${missing[@]:-}"
}

loud() {
  printf '\n!!!!!!!! %s\n' "$@" >&2
  printf '\n' >&2
}

read -r -a missing <<<"$(missing_packages)"
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${SHANGQUAN_SKIP_BROWSER_TESTS:-}" = "1" ]; then
  loud "SHANGQUAN_SKIP_BROWSER_TESTS=1: the browser tests will be SKIPPED (missing: ${missing[*]})"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    loud "make test needs ${missing[*]} for the browser tests, and cannot install them (not root)." \
         "Install them once:   sudo apt-get install -y ${missing[*]}" \
         "or skip the browser tests on purpose:   SHANGQUAN_SKIP_BROWSER_TESTS=1 make test"
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  loud "make test needs ${missing[*]} (Chromium and the Noto CJK fonts) and this system has no apt-get." \
       "Install them with your package manager, point SHANGQUAN_CHROMIUM at a Chromium binary," \
       "or skip the browser tests on purpose:   SHANGQUAN_SKIP_BROWSER_TESTS=1 make test"
  exit 1
fi
echo "== installing ${missing[*]} (Debian packages) for the browser tests"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
read -r -a still <<<"$(missing_packages)"
if [ ${#still[@]} -gt 0 ]; then
  loud "still missing after apt-get install: ${still[*]}"
  exit 1
fi
