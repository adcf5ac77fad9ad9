#!/usr/bin/env bash
# Refreshes the screenshots of docs/screens/: the portal starts in-process with the demo, and
# headless Chromium signs in as the demo roles and saves each main page at 390 and 1280 CSS px
# wide (the whole page, cut at 2,400 or 1,800 px) as docs/screens/PAGE-WIDTH.png.
#
#   scripts/screens.sh
#
# Needs what the browser suite needs: Debian's chromium (/usr/bin/chromium) and
# chromium-driver (chromedriver on the PATH). The test behind it is ignored in ordinary runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -p cs-cli --test browser -- --ignored --exact layout::screenshots --nocapture
ls -l docs/screens/*.png
