#!/bin/sh
# The parts of the command line that need no display: demo, errors, no display at all.
set -u
mailhop="$1"
fail=0
check() {  # check DESCRIPTION CONDITION...
  description="$1"
  shift
  if "$@"; then
    echo "ok: $description"
  else
    echo "FAILED: $description"
    fail=1
  fi
}

out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$mailhop" demo --lang en 2>&1)
status=$?
check "demo exits 0 without a display" [ "$status" -eq 0 ]
check "demo prints the greeting" sh -c 'printf "%s" "$1" | grep -q "S: 220 mx.yahoo.example"' _ "$out"
check "demo prints the client's EHLO" sh -c 'printf "%s" "$1" | grep -q "C: EHLO smtp.gmail.example"' _ "$out"
check "demo reports the delivery" sh -c 'printf "%s" "$1" | grep -q "Delivered to julia@yahoo.example"' _ "$out"

out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$mailhop" demo --lang es --explain 2>&1)
check "demo --explain in Spanish explains the greeting" \
  sh -c 'printf "%s" "$1" | grep -q "El servidor saluda al cliente"' _ "$out"

out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$mailhop" --lang es 2>&1)
status=$?
check "no display: exit status 3" [ "$status" -eq 3 ]
check "no display: says so in Spanish and points to mailhop demo" \
  sh -c 'printf "%s" "$1" | grep -q "no hay pantalla gráfica" && printf "%s" "$1" | grep -q "mailhop demo"' _ "$out"

out=$("$mailhop" --lang fr 2>&1)
status=$?
check "bad --lang: exit status 2" [ "$status" -eq 2 ]
check "bad --lang: names the value" sh -c 'printf "%s" "$1" | grep -q "fr"' _ "$out"

out=$(MAILHOP_ASSETS=/nonexistent "$mailhop" demo 2>&1)
status=$?
check "wrong MAILHOP_ASSETS: exit status 1" [ "$status" -eq 1 ]
check "wrong MAILHOP_ASSETS: names the folder" sh -c 'printf "%s" "$1" | grep -q "/nonexistent"' _ "$out"

out=$("$mailhop" --help --lang en 2>&1)
check "--help shows the usage" sh -c 'printf "%s" "$1" | grep -q "mailhop demo"' _ "$out"
check "--help shows mailhop gui and --frame-stats" \
  sh -c 'printf "%s" "$1" | grep -q "mailhop \[gui\] \[FILE\]" && printf "%s" "$1" | grep -q -- "--frame-stats"' _ "$out"

out=$("$mailhop" gui scenarios/01-journey.json --at soon --lang en 2>&1)
status=$?
check "bad --at: exit status 2" [ "$status" -eq 2 ]
check "bad --at: names the value" sh -c 'printf "%s" "$1" | grep -q "soon"' _ "$out"

out=$("$mailhop" gui --frame-stats 10 --screenshot x.png --lang es 2>&1)
status=$?
check "--frame-stats with --screenshot: exit status 2" [ "$status" -eq 2 ]
exit $fail
