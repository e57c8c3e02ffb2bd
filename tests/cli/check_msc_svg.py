"""Checks a chart written by `crosscheck check --msc` against the JSON
result of the same run: the SVG is well-formed XML (Python's expat parser
reads it), and every step of the trace is in it, with its action, its
state as a tooltip, and its event drawn.

    check_msc_svg.py CHART.svg RESULT.json
"""
import json
import sys
import xml.etree.ElementTree as ElementTree

SVG = "{http://www.w3.org/2000/svg}"
ARROWS = {"message": "message", "duplicate": "duplicate", "drop": "drop"}
BOXES = {"timeout", "input", "crash", "restart", "tick"}  # tick: a clock or global time


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main(svg_path, json_path):
    try:
        root = ElementTree.parse(svg_path).getroot()
    except ElementTree.ParseError as error:
        fail(f"{svg_path} is not well-formed XML: {error}")
    if root.tag != SVG + "svg":
        fail(f"the root element is {root.tag}, not svg")
    with open(json_path) as file:
        result = json.load(file)
    trace = result["trace"]
    groups = root.iter(SVG + "g")
    steps = {}
    drawn = {}
    for group in groups:
        if group.get("class") == "step":
            steps[group.get("id")] = group
        if group.get("data-step") is not None:
            drawn.setdefault(int(group.get("data-step")), []).append(group.get("class"))
    if len(steps) != len(trace):
        fail(f"{len(steps)} step rows for a trace of {len(trace)} states")
    sent = delivered = 0
    for number, step in enumerate(trace):
        row = steps.get(f"step-{number}")
        if row is None:
            fail(f"no row for step {number}")
        if row.get("data-action") != step["action"]:
            fail(f"step {number} is drawn as {row.get('data-action')!r}, not {step['action']!r}")
        title = row.find(f"{SVG}rect/{SVG}title")
        if title is None or not title.text.startswith(f"step {number}: "):
            fail(f"step {number} has no tooltip")
        state = json.loads(title.text.split("\n", 1)[1])
        if state != step["state"]:
            fail(f"the tooltip of step {number} is not its state")
        event = step["event"]
        sent += len(event["sent"])
        kind = event["kind"]
        if kind in ARROWS:
            if ARROWS[kind] not in drawn.get(number, []):
                fail(f"step {number}'s {kind} has no arrow")
            if kind != "duplicate":
                delivered += 1
        elif kind in BOXES:
            if kind not in drawn.get(number, []):
                fail(f"step {number}'s {kind} has no box")
        elif kind != "initial":
            fail(f"step {number} has an event of unknown kind {kind}")
    in_flight = [g for g in root.iter(SVG + "g") if g.get("class") == "in-flight"]
    if len(in_flight) != sent - delivered:
        fail(f"{len(in_flight)} messages drawn in flight at the end, not {sent} sent less {delivered} delivered")
    text = "".join(root.itertext())
    if f"Violation: {result['property']} " not in text:
        fail(f"the violation of {result['property']} is not stated")
    print(f"ok: {svg_path}: {len(trace)} steps, {sent} messages, {len(in_flight)} in flight at the end")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
