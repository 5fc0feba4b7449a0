#!/bin/sh
# Renders the app under Xvfb with 8 lines revealed and checks the PNG is a real picture.
# Exit 77 (skipped) when xvfb-run is not installed.
set -u
mailhop="$1"
png_check="$2"
out="$3"
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "xvfb-run not found: skipping the screenshot smoke test"
  exit 77
fi
rm -f "$out"
xvfb-run -a -s "-screen 0 1280x800x24" "$mailhop" --screenshot "$out" --steps 8 --lang en || {
  echo "mailhop --screenshot failed with status $?"
  exit 1
}
if [ ! -s "$out" ]; then
  echo "no screenshot was written to $out"
  exit 1
fi
# Antialiased text in six colours on a light background gives hundreds of colours; a blank or
# black frame gives one.
"$png_check" "$out" 1280 800 64
