#!/usr/bin/env bash
# Makes the explainer pages, the learning-rate sweep and a run report for the seed example, opens
# each page in headless Chromium (Debian's chromium package: apt-get install chromium) and saves
# screenshots under out/screenshots, to look at before calling a page done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium)" >&2; exit 1; }
shots=out/screenshots
mkdir -p "$shots"
bin/downhill explain
bin/downhill explain --param 2.bias
bin/downhill explain --run placement-placed
bin/downhill sweep-lr
bin/downhill train --report out/report > /dev/null
shoot() { # page, png, width, height
    local profile; profile="$(mktemp -d)"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$profile" --window-size="$3,$4" \
        --screenshot="$2" "file://$root/$1" > /dev/null 2>&1
    rm -rf "$profile"
    echo "$2"
}
for stage in 1 2 3 4 5 6 7; do
    shoot "out/explain/placement-package-step.html#stage=$stage" "$shots/step-stage$stage.png" 1400 950
done
shoot "out/explain/placement-placed-step.html#stage=5" "$shots/placed-step-stage5.png" 1400 950
shoot "out/explain/placement-package-2.bias.html" "$shots/landscape-2.bias.png" 1400 700
shoot "out/report/placement-placed/report.html" "$shots/report-placed.png" 1400 900
shoot "out/report/placement-package/report.html" "$shots/report-package.png" 1400 900
cp out/sweep-lr/placement-package.png "$shots/sweep-lr.png"
