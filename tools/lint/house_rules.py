"""The house rules, checked: file length, function length, line length and
the layer rules for #include.

  tools/lint/house_rules.py [--root DIR] [--only RULE]... [limits]

Prints one `path:line: rule: message` per finding, then a count per rule,
and exits 1 if there is any finding. //tools/lint:house_rules_test runs it
over the workspace; the limits it uses are the arguments in
tools/lint/BUILD. A function that is long for a good reason is named, with
the reason, in tools/lint/long_functions.txt.
"""

import argparse
import collections
import dataclasses
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpp_scan  # noqa: E402  (beside this file, wherever it is run from)

SOURCE_DIRS = (
    "impl", "spec", "check", "model_check", "audit", "trace", "tests", "tools", "examples",
)
CPP_SUFFIXES = (".cc", ".h", ".cpp", ".hpp", ".cxx", ".hh")
RULES = {
    "file-length": "files over {file_lines} lines",
    "function-length": "functions over {function_lines} lines",
    "line-length": "lines over {line_columns} columns",
    "layer-include": "includes that cross a layer",
    "allow-list": "allow-list entries malformed or naming no long function",
}
DEFAULT_ALLOW_LIST = "tools/lint/long_functions.txt"


@dataclasses.dataclass(frozen=True)
class Limits:
    file_lines: int = 700
    function_lines: int = 70
    line_columns: int = 100


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def find_sources(root):
    """Workspace-relative paths of the C++ files under SOURCE_DIRS, sorted."""
    paths = []
    for top in SOURCE_DIRS:
        for directory, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs[:] = [d for d in subdirs if not d.startswith(".")]
            paths += [os.path.relpath(os.path.join(directory, f), root)
                      for f in files if f.endswith(CPP_SUFFIXES)]
    return sorted(p.replace(os.sep, "/") for p in paths)


def check_lengths(path, lines, limits):
    """Findings for a file over the line limit and lines over the column limit."""
    findings = []
    if len(lines) > limits.file_lines:
        first_over = limits.file_lines + 1
        findings.append(Finding(path, first_over, "file-length",
                                f"{len(lines)} lines, over {limits.file_lines}"))
    for number, line in enumerate(lines, 1):
        if len(line) > limits.line_columns:
            findings.append(Finding(path, number, "line-length",
                                    f"{len(line)} columns, over {limits.line_columns}"))
    return findings


def check_functions(path, text, limits, allowed):
    """Findings for functions over the limit, and the allow-list keys used."""
    findings, used = [], set()
    for function in cpp_scan.find_functions(text):
        if function.lines <= limits.function_lines:
            continue
        key = (path, function.name)
        if key in allowed:
            used.add(key)
            continue
        findings.append(Finding(
            path, function.first_line, "function-length",
            f"{function.name} is {function.lines} lines, over {limits.function_lines}"))
    return findings, used


# Which project folders each layer may include from. The first rule whose
# folder holds the file applies; `{p}` stands for the file's own protocol
# (raft in impl/raft/node.h). None: anything. The model checker's front
# ends, which tie protocols to the checker (cli/, bench/), are not part of
# the protocol-free core that the other layers may use.
CHECKER_FRONT_ENDS = ("model_check/cli/", "model_check/bench/")
LAYER_RULES = (
    ("impl/{p}/", ("impl/{p}/", "impl/common/"), ()),
    ("check/{p}/", ("check/{p}/", "spec/{p}/", "spec/common/", "impl/{p}/", "impl/common/",
                    "model_check/", "trace/{p}/"), ("model_check/bench/",)),
    ("model_check/cli/", None, ()),
    ("model_check/bench/", None, ()),
    ("model_check/", ("model_check/", "impl/common/"), CHECKER_FRONT_ENDS),
    ("spec/{p}/", ("spec/{p}/", "spec/common/", "impl/{p}/", "impl/common/", "model_check/"),
     CHECKER_FRONT_ENDS),
    ("audit/", ("audit/", "model_check/", "impl/common/"), CHECKER_FRONT_ENDS),
    ("trace/{p}/", ("trace/{p}/", "model_check/", "impl/common/"), CHECKER_FRONT_ENDS),
)


def layer_rule(path):
    """(own folder, allowed folders, excluded folders) for path, or None."""
    for folder, allowed, excluded in LAYER_RULES:
        base = folder.replace("{p}/", "")
        if not path.startswith(base):
            continue
        if allowed is None:
            return None
        protocol = path[len(base):].split("/")[0]
        own = folder.replace("{p}", protocol)
        return own, tuple(a.replace("{p}", protocol) for a in allowed), excluded
    return None


def resolve_include(root, path, included):
    """The workspace path an #include names, or None for a system header."""
    if included.startswith(tuple(d + "/" for d in SOURCE_DIRS)):
        return included
    beside = os.path.normpath(os.path.join(os.path.dirname(path), included))
    if os.path.isfile(os.path.join(root, beside)):
        return beside.replace(os.sep, "/")
    return None


# An include that crosses a layer on purpose says why on its own line:
#   #include "impl/raft/node.h"  // layer: lock servers are Raft nodes
# (a protocol built on another), and so shows up in review.
_DECLARED_CROSSING = re.compile(r"//\s*layer:\s*\S")


def reaches_around_refinement(root, path, own, target):
    """Whether a spec with a refinement map includes its implementation
    elsewhere than in that map (spec/<p>/refinement.h and .cc)."""
    if not own.startswith("spec/"):
        return False
    implementation = "impl/" + own[len("spec/"):]
    if not target.startswith(implementation):
        return False
    if not os.path.isfile(os.path.join(root, own, "refinement.h")):
        return False
    return not os.path.basename(path).startswith("refinement.")


def check_includes(root, path, text):
    """Findings for #includes that cross a layer boundary."""
    rule = layer_rule(path)
    if rule is None:
        return []
    own, allowed, excluded = rule
    findings = []
    lines = text.split("\n")
    for line, included, _ in cpp_scan.find_includes(text):
        target = resolve_include(root, path, included)
        if target is None or _DECLARED_CROSSING.search(lines[line - 1]):
            continue
        if reaches_around_refinement(root, path, own, target):
            findings.append(Finding(path, line, "layer-include",
                                    f'"{included}": only {own}refinement.h and .cc, the '
                                    "refinement map, may include the implementation"))
            continue
        if target.startswith(allowed) and not target.startswith(excluded):
            continue
        may = ", ".join(allowed) + (f" (but not {', '.join(excluded)})" if excluded else "")
        findings.append(Finding(path, line, "layer-include",
                                f'"{included}": {own} may include only {may} '
                                "and system headers"))
    return findings


def read_allow_list(root, allow_list):
    """({(path, function): line}, findings) from an allow-list file.

    Each line is `path:function reason`; the reason is required. Blank
    lines and lines starting with # are skipped.
    """
    entries, findings = {}, []
    full = os.path.join(root, allow_list)
    if not os.path.exists(full):
        return entries, findings
    with open(full, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            path, colon, function = name.partition(":")
            if not colon or not function or not reason.strip():
                findings.append(Finding(allow_list, number, "allow-list",
                                        "expected `path:function reason`"))
                continue
            entries[(path, function)] = number
    return entries, findings


def check_tree(root, limits, allow_list=DEFAULT_ALLOW_LIST):
    """(findings, number of files checked) for the workspace at root."""
    allowed, findings = read_allow_list(root, allow_list)
    used = set()
    sources = find_sources(root)
    for path in sources:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        findings += check_lengths(path, text.splitlines(), limits)
        function_findings, function_used = check_functions(path, text, limits, allowed)
        findings += function_findings + check_includes(root, path, text)
        used |= function_used
    for key, number in allowed.items():
        if key not in used:
            findings.append(Finding(allow_list, number, "allow-list",
                                    f"{key[0]}:{key[1]} names no function over "
                                    f"{limits.function_lines} lines"))
    return sorted(findings), len(sources)


def summary(findings, limits, only):
    counts = collections.Counter(f.rule for f in findings)
    lines = []
    for rule, description in RULES.items():
        if not only or rule in only:
            text = description.format(**dataclasses.asdict(limits))
            lines.append(f"  {rule:<16}{counts[rule]:>6}  {text}")
    return "\n".join(lines)


def workspace_root():
    """The source tree: under `bazel test` this file is a link into it."""
    if os.environ.get("BUILD_WORKSPACE_DIRECTORY"):
        return os.environ["BUILD_WORKSPACE_DIRECTORY"]
    directory = os.path.dirname(os.path.realpath(__file__))
    while not os.path.exists(os.path.join(directory, "WORKSPACE")):
        parent = os.path.dirname(directory)
        if parent == directory:
            sys.exit("house_rules: no WORKSPACE above " + os.path.realpath(__file__))
        directory = parent
    return directory


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", help="the workspace (default: the one holding this file)")
    parser.add_argument("--only", action="append", choices=sorted(RULES),
                        help="check only this rule (repeatable)")
    parser.add_argument("--allow-list", default=DEFAULT_ALLOW_LIST,
                        help="long functions allowed, relative to the root")
    parser.add_argument("--max-file-lines", type=int, default=Limits.file_lines)
    parser.add_argument("--max-function-lines", type=int, default=Limits.function_lines)
    parser.add_argument("--max-line-columns", type=int, default=Limits.line_columns)
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    root = args.root or workspace_root()
    limits = Limits(args.max_file_lines, args.max_function_lines, args.max_line_columns)
    findings, files = check_tree(root, limits, args.allow_list)
    if args.only:
        findings = [f for f in findings if f.rule in args.only]
    for finding in findings:
        print(finding)
    print(f"house rules: {len(findings)} findings in {files} C++ files under {root}")
    print(summary(findings, limits, args.only))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
