#!/bin/sh
# Opens every shipped scenario under Xvfb, in Spanish and in English, renders it at a moment
# where something has happened, and checks each PNG is a real picture (not blank). Also one
# projector setting: 1024x768 at 2x in high contrast, one at 1600x900 at 2x with a host's
# inspector (--select), a recorded trace replayed, and a few
# frames played with --frame-stats.
# Usage: screenshot_smoke.sh MAILHOP PNG_CHECK OUT_DIR SCENARIOS_DIR
# Exit 77 (skipped) when xvfb-run is not installed.
set -u
mailhop="$1"
png_check="$2"
out_dir="$3"
scenarios="$4"
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "xvfb-run not found: skipping the screenshot smoke test"
  exit 77
fi
mkdir -p "$out_dir"
fail=0
shoot() {  # shoot OUT.png WxH MIN_W MIN_H ARGS...
  out="$1"
  size="$2"
  min_w="$3"
  min_h="$4"
  shift 4
  rm -f "$out"
  if ! xvfb-run -a -s "-screen 0 ${size}x24" "$mailhop" gui "$@" --screenshot "$out" \
       --size "$size" >/dev/null; then
    echo "FAILED: mailhop gui $* --screenshot exited with an error"
    fail=1
    return
  fi
  # Antialiased text in several colours on a light background gives hundreds of colours; a
  # blank or black frame gives one.
  if ! "$png_check" "$out" "$min_w" "$min_h" 64; then
    echo "FAILED: $out is not a real picture"
    fail=1
  fi
}
count=0
for file in "$scenarios"/*.json; do
  name=$(basename "$file" .json)
  [ "$name" = schema ] && continue
  for lang in es en; do
    shoot "$out_dir/$name-$lang.png" 1280x800 1280 800 "$file" --at 30s --lang "$lang"
  done
  count=$((count + 1))
done
if [ "$count" -eq 0 ]; then
  echo "FAILED: no scenarios in $scenarios"
  fail=1
fi
shoot "$out_dir/projector-es.png" 1024x768 1024 768 "$scenarios/01-journey.json" --at 1500ms \
  --lang es --scale 2 --high-contrast
# A 16:9 projector at 2x (two columns of tabs) with a host's inspector beside the network.
shoot "$out_dir/select-es.png" 1600x900 1600 900 "$scenarios/11-pop3-vs-imap.json" --at 1500ms \
  --lang es --scale 2 --select mail.yahoo.example
# A host the scenario does not have: exit status 2 and a message naming it, no PNG.
rm -f "$out_dir/no-host.png"
message=$(xvfb-run -a -s "-screen 0 640x480x24" "$mailhop" gui "$scenarios/01-journey.json" \
  --select mx.nowhere.example --screenshot "$out_dir/no-host.png" --lang en 2>&1)
status=$?
if [ "$status" -ne 2 ] || ! printf "%s" "$message" | grep -q "mx.nowhere.example" ||
   [ -e "$out_dir/no-host.png" ]; then
  echo "FAILED: --select with an unknown host should fail with status 2 and name it (got $status: $message)"
  fail=1
fi
# A recorded trace opens and replays like a scenario.
if "$mailhop" run "$scenarios/01-journey.json" --quiet --trace "$out_dir/journey-trace.json"; then
  for lang in es en; do
    shoot "$out_dir/replay-$lang.png" 1280x800 1280 800 "$out_dir/journey-trace.json" --at 2s \
      --lang "$lang"
  done
else
  echo "FAILED: mailhop run --trace did not write a trace"
  fail=1
fi
# Frames played and timed: the renderer's thread draws while the UI's thread plays and builds
# the next frame; every frame is counted and the run ends by itself.
stats=$(xvfb-run -a -s "-screen 0 1024x768x24" "$mailhop" gui "$scenarios/01-journey.json" \
  --frame-stats 40 --at 1s --size 1024x768 --lang en 2>&1)
status=$?
if [ "$status" -ne 0 ] || ! printf "%s" "$stats" | grep -q "^40 frames at 1024x768: p50 "; then
  echo "FAILED: mailhop gui --frame-stats 40 should time 40 frames (got $status: $stats)"
  fail=1
fi
# Under Xvfb, Mesa renders in software and the window repaints only what changed; after many
# busy frames its picture must be the one a full repaint gives, pixel for pixel.
if "$mailhop" gen "$out_dir/busy.json" --domains 20 --users 4 --messages 4000 --rate 400 \
     >/dev/null; then
  stats=$(xvfb-run -a -s "-screen 0 1280x800x24" "$mailhop" gui "$out_dir/busy.json" \
    --frame-stats 120 --at 3s --size 1280x800 --lang en 2>&1)
  status=$?
  if [ "$status" -ne 0 ] ||
     ! printf "%s" "$stats" | grep -q "in part (.*against a full repaint: 0 pixels differ$"; then
    echo "FAILED: repainting in part should show what a full repaint shows (got $status: $stats)"
    fail=1
  fi
  # The envelopes in flight are counted over every measured frame, not only the last.
  flight=$(printf "%s" "$stats" |
    sed -n 's/^envelopes in flight over the measured frames: at least \([0-9]*\), at most \([0-9]*\)$/\1 \2/p')
  least=${flight% *}
  most=${flight#* }
  if [ -z "$flight" ] || [ "$least" -lt 1 ] || [ "$most" -lt "$least" ]; then
    echo "FAILED: --frame-stats should give the fewest and most envelopes in flight (got: $stats)"
    fail=1
  fi
else
  echo "FAILED: mailhop gen did not write a scenario"
  fail=1
fi
# A file that is not there: exit status 1 and a message naming it, no PNG.
rm -f "$out_dir/missing.png"
message=$(xvfb-run -a -s "-screen 0 640x480x24" "$mailhop" gui "$scenarios/no-such-lesson.json" \
  --screenshot "$out_dir/missing.png" --lang en 2>&1)
status=$?
if [ "$status" -ne 1 ] || ! printf "%s" "$message" | grep -q "no-such-lesson.json" ||
   [ -e "$out_dir/missing.png" ]; then
  echo "FAILED: a missing scenario should fail with status 1 and name the file (got $status: $message)"
  fail=1
fi
echo "$count scenarios drawn in es and en"
exit $fail
