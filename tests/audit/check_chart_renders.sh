#!/usr/bin/env bash
# A chart of an audited history is drawn as it should be: the SVG is
# well-formed and self-contained, headless Chromium renders it, and the
# screenshot is not blank and shows the culprit's red and the linearized
# operations' green.
#
#   check_chart_renders.sh CHECKER COMMAND [ARG...]
#
# runs `COMMAND ARG... OUT.svg` to write the chart: the sample binary here,
# or `crosscheck audit HISTORY --chart`. CHECKER is check_png_colours.py.
set -euo pipefail

fail() {
  echo "FAIL: $*"
  exit 1
}

[ $# -ge 2 ] || fail "usage: check_chart_renders.sh CHECKER COMMAND [ARG...]"
checker=$1
shift

work=$(mkdir -p "${TEST_TMPDIR:-/tmp}/chart" && cd "${TEST_TMPDIR:-/tmp}/chart" && pwd)
svg=$work/chart.svg
png=$work/chart.png
rm -f "$svg" "$png"

# Exit status 1 is how crosscheck says "not linearizable": the chart is
# still written.
status=0
"$@" "$svg" || status=$?
[ "$status" -le 1 ] || fail "'$*' exited with status $status"
[ -s "$svg" ] || fail "'$*' wrote no chart to $svg"

# (a) Well-formed XML, an <svg> root, nothing that runs or loads; prints the
# size to render it at.
size=$(
  python3 - "$svg" <<'EOF'
import math, sys, xml.etree.ElementTree as ElementTree

def fail(message):
    print("FAIL: " + message)
    sys.exit(1)

try:
    root = ElementTree.parse(sys.argv[1]).getroot()
except ElementTree.ParseError as error:
    fail(f"the chart is not well-formed XML: {error}")
if root.tag != "{http://www.w3.org/2000/svg}svg":
    fail(f"the root element is {root.tag}, not svg")
for element in root.iter():
    name = element.tag.rpartition("}")[2]
    if name in ("script", "foreignObject", "image", "use"):
        fail(f"the chart has a <{name}> element")
    for key, value in element.attrib.items():
        if key.rpartition("}")[2].startswith("on"):
            fail(f"<{name}> has an event handler {key}")
        if "href" in key and not value.startswith("#"):
            fail(f"<{name}> refers to {value}")
    for text in [element.text or ""] + list(element.attrib.values()):
        if ("url(" in text and "url(#" not in text) or "@import" in text or "@font-face" in text:
            fail(f"<{name}> loads something: {text[:80]!r}")
try:
    width, height = (math.ceil(float(root.get(key))) for key in ("width", "height"))
except (TypeError, ValueError):
    fail("the svg element has no numeric width and height")
print(f"{min(width, 8000)},{min(height, 8000)}")
EOF
) || {
  echo "$size"
  exit 1
}

# (b) Rendered by headless Chromium, as a browser shows it.
command -v chromium >/dev/null ||
  fail "chromium is not installed: ./bazelw installs Debian's chromium package" \
    "(or run apt-get install -y chromium)"
export HOME=$work/home
mkdir -p "$HOME"
if ! timeout 50 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --no-first-run --disable-extensions --user-data-dir="$work/profile" \
  --screenshot="$png" --window-size="$size" "file://$svg" >"$work/chromium.log" 2>&1; then
  tail -n 20 "$work/chromium.log"
  fail "chromium could not render $svg"
fi
[ -s "$png" ] || {
  tail -n 20 "$work/chromium.log"
  fail "chromium wrote no screenshot"
}

# Kept with the test's outputs (bazel-testlogs/.../test.outputs/) to look at.
if [ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
  cp "$svg" "$png" "$TEST_UNDECLARED_OUTPUTS_DIR/"
fi

# (c) Not blank, with the culprit's fill and outline and the linearized
# operations' fill (audit/chart.cc: kCulprit and kLinearized).
python3 "$checker" "$png" linearized=#b2f2bb culprit=#ff8787 culprit-outline=#c92a2a:50
