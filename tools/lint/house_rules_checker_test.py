"""The house-rules checker fires on each rule it knows and passes clean code.

Each case lays out a small workspace in a temporary directory from the
fixtures in testdata/ (named *.fixture, so that the checker and the
formatter leave them alone in the real tree) and checks it.
"""

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpp_scan  # noqa: E402
import house_rules  # noqa: E402

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
SMALL = house_rules.Limits(file_lines=60, function_lines=10, line_columns=60)


def fixture(name):
    with open(os.path.join(TESTDATA, name + ".fixture"), encoding="utf-8") as f:
        return f.read()


class Workspace:
    """A temporary workspace: write(path, text), then check()."""

    def __init__(self, test):
        directory = tempfile.TemporaryDirectory()
        test.addCleanup(directory.cleanup)
        self.root = directory.name
        self.write("WORKSPACE", "")

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def check(self, limits=SMALL, allow_list=house_rules.DEFAULT_ALLOW_LIST):
        findings, _ = house_rules.check_tree(self.root, limits, allow_list)
        return [(f.path, f.line, f.rule) for f in findings], findings


class CleanInput(unittest.TestCase):
    def test_a_clean_file_has_no_findings(self):
        workspace = Workspace(self)
        workspace.write("impl/demo/clean.cc", fixture("clean.cc"))
        workspace.write("impl/demo/clean.h", "#pragma once\n")
        self.assertEqual(workspace.check(), ([], []))

    def test_braces_in_comments_literals_and_macros_do_not_mislead(self):
        functions = cpp_scan.find_functions(fixture("clean.cc"))
        self.assertEqual(
            [(f.name, f.first_line, f.last_line) for f in functions],
            [("Counter::Counter", 28, 29), ("Counter::operator==", 34, 36),
             ("Counter::operator()", 37, 37), ("short_function", 49, 54)])

    def test_files_that_are_not_cpp_are_not_read(self):
        workspace = Workspace(self)
        workspace.write("tools/lint/testdata/long_line.cc.fixture", fixture("long_line.cc"))
        workspace.write("impl/demo/notes.md", "x" * 200 + "\n")
        self.assertEqual(workspace.check()[0], [])


class FunctionLength(unittest.TestCase):
    def test_a_function_over_the_limit_is_named_with_its_first_line(self):
        workspace = Workspace(self)
        workspace.write("tests/demo/long_function.cc", fixture("long_function.cc"))
        places, findings = workspace.check()
        self.assertEqual(places, [("tests/demo/long_function.cc", 6, "function-length")])
        self.assertEqual(findings[0].message, "Widget::too_long is 12 lines, over 10")

    def test_the_limit_is_configurable(self):
        workspace = Workspace(self)
        workspace.write("tests/demo/long_function.cc", fixture("long_function.cc"))
        limits = house_rules.Limits(file_lines=60, function_lines=12, line_columns=60)
        self.assertEqual(workspace.check(limits)[0], [])

    def test_an_allow_list_entry_with_a_reason_allows_it(self):
        workspace = Workspace(self)
        workspace.write("tests/demo/long_function.cc", fixture("long_function.cc"))
        workspace.write(house_rules.DEFAULT_ALLOW_LIST,
                        "# comment\n\ntests/demo/long_function.cc:Widget::too_long one table\n")
        self.assertEqual(workspace.check()[0], [])

    def test_an_entry_without_a_reason_or_long_function_is_a_finding(self):
        workspace = Workspace(self)
        workspace.write("tests/demo/long_function.cc", fixture("long_function.cc"))
        workspace.write(house_rules.DEFAULT_ALLOW_LIST,
                        "tests/demo/long_function.cc:Widget::too_long\n"
                        "tests/demo/long_function.cc:just_short_enough it was long once\n")
        allow_list = house_rules.DEFAULT_ALLOW_LIST
        self.assertEqual(workspace.check()[0], [
            ("tests/demo/long_function.cc", 6, "function-length"),
            (allow_list, 1, "allow-list"),
            (allow_list, 2, "allow-list"),
        ])


class LineAndFileLength(unittest.TestCase):
    def test_a_line_over_the_limit_is_named(self):
        workspace = Workspace(self)
        workspace.write("audit/long_line.cc", fixture("long_line.cc"))
        places, findings = workspace.check()
        self.assertEqual(places, [("audit/long_line.cc", 2, "line-length")])
        self.assertEqual(findings[0].message, "61 columns, over 60")

    def test_columns_are_characters_not_bytes(self):
        workspace = Workspace(self)
        workspace.write("audit/dash.cc", "// " + "\u2014" * 57 + "\n")
        self.assertEqual(workspace.check()[0], [])

    def test_a_file_over_the_limit_is_named_at_its_first_line_too_many(self):
        workspace = Workspace(self)
        workspace.write("spec/demo/long_file.h", "// x\n" * 61)
        workspace.write("spec/demo/just_short_enough.h", "// x\n" * 60)
        places, findings = workspace.check()
        self.assertEqual(places, [("spec/demo/long_file.h", 61, "file-length")])
        self.assertEqual(findings[0].message, "61 lines, over 60")


class LayerIncludes(unittest.TestCase):
    def test_an_implementation_includes_only_its_own_folder_and_common(self):
        workspace = Workspace(self)
        workspace.write("impl/demo/bad_include.h", fixture("bad_include.h"))
        places, findings = workspace.check()
        self.assertEqual(places, [("impl/demo/bad_include.h", line, "layer-include")
                                  for line in (10, 11, 12)])
        self.assertIn('"model_check/search.h": impl/demo/ may include only impl/demo/, '
                      "impl/common/ and system headers", findings[0].message)

    def assert_layer(self, path, include, allowed):
        workspace = Workspace(self)
        workspace.write(path, f'#include "{include}"\n')
        found = workspace.check()[0]
        self.assertEqual(found, [] if allowed else [(path, 1, "layer-include")],
                         f"{path} including {include}")

    def test_the_checker_core_knows_no_protocol(self):
        self.assert_layer("model_check/search.h", "impl/common/hash.h", True)
        self.assert_layer("model_check/search.h", "impl/raft/node.h", False)
        self.assert_layer("model_check/search.h", "spec/raft/raft.h", False)
        self.assert_layer("model_check/search.h", "model_check/cli/flags.h", False)
        self.assert_layer("model_check/cli/main.cc", "spec/raft/raft.h", True)
        self.assert_layer("model_check/bench/bench.cc", "spec/twophase/two_phase.h", True)

    def test_a_spec_knows_its_own_protocol_and_the_checker_core(self):
        for include in ("spec/raft/raft.h", "spec/common/z3.h", "impl/raft/node.h",
                        "impl/common/hash.h", "model_check/search.h"):
            self.assert_layer("spec/raft/model.cc", include, True)
        for include in ("spec/paxos/paxos.h", "impl/paxos/node.h", "model_check/cli/flags.h",
                        "audit/audit.h"):
            self.assert_layer("spec/raft/model.cc", include, False)

    def test_a_binding_knows_its_own_protocol_and_the_checker(self):
        for include in ("check/raft/model.h", "spec/raft/refinement.h", "impl/raft/node.h",
                        "model_check/actor.h", "model_check/cli/protocol.h"):
            self.assert_layer("check/raft/cli.cc", include, True)
        for include in ("check/paxos/model.h", "impl/paxos/node.h", "spec/paxos/paxos.h",
                        "model_check/bench/bench.h"):
            self.assert_layer("check/raft/cli.cc", include, False)

    def test_only_the_refinement_map_reaches_the_implementation(self):
        workspace = Workspace(self)
        workspace.write("spec/raft/refinement.h", '#include "impl/raft/node.h"\n')
        workspace.write("spec/raft/refinement.cc", '#include "impl/raft/node.h"\n')
        workspace.write("spec/raft/raft.h", '#include "impl/raft/node.h"\n')
        places, findings = workspace.check()
        self.assertEqual(places, [("spec/raft/raft.h", 1, "layer-include")])
        self.assertIn("only spec/raft/refinement.h and .cc", findings[0].message)

    def test_a_crossing_that_says_why_is_allowed(self):
        workspace = Workspace(self)
        workspace.write("impl/lock/said.h", '#include "impl/raft/node.h"  // layer: Raft\n')
        workspace.write("impl/lock/silent.h", '#include "impl/raft/node.h"  // layer:\n')
        self.assertEqual(workspace.check()[0], [("impl/lock/silent.h", 1, "layer-include")])

    def test_the_auditor_knows_no_protocol(self):
        self.assert_layer("audit/audit.cc", "model_check/linearizability.h", True)
        self.assert_layer("audit/audit.cc", "impl/raft/node.h", False)
        self.assert_layer("audit/audit.cc", "spec/raft/raft.h", False)

    def test_tests_and_tools_may_include_anything(self):
        self.assert_layer("tests/raft/spec_test.cc", "model_check/cli/flags.h", True)
        self.assert_layer("tools/fuzz/x.cc", "spec/raft/raft.h", True)

    def test_a_relative_include_is_judged_by_the_file_it_names(self):
        workspace = Workspace(self)
        workspace.write("impl/other/node.h", "#pragma once\n")
        workspace.write("impl/demo/node.h", '#include "../other/node.h"\n#include "z3++.h"\n')
        self.assertEqual(workspace.check()[0], [("impl/demo/node.h", 1, "layer-include")])


class CommandLine(unittest.TestCase):
    def run_main(self, root, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = house_rules.main(["--root", root, "--max-line-columns=60", *args])
        return status, out.getvalue()

    def test_findings_fail_with_a_count_per_rule(self):
        workspace = Workspace(self)
        workspace.write("audit/long_line.cc", fixture("long_line.cc"))
        workspace.write("impl/demo/bad_include.h", fixture("bad_include.h"))
        status, out = self.run_main(workspace.root)
        self.assertEqual(status, 1)
        self.assertIn("audit/long_line.cc:2: line-length: 61 columns, over 60\n", out)
        self.assertRegex(out, r"\n  line-length +1  lines over 60 columns\n")
        self.assertRegex(out, r"\n  layer-include +3  includes that cross a layer\n")
        self.assertRegex(out, r"\n  function-length +0  functions over 70 lines\n")

    def test_only_narrows_the_rules_checked(self):
        workspace = Workspace(self)
        workspace.write("audit/long_line.cc", fixture("long_line.cc"))
        status, out = self.run_main(workspace.root, "--only", "layer-include")
        self.assertEqual(status, 0)
        self.assertNotIn("line-length", out)

    def test_a_clean_tree_passes(self):
        workspace = Workspace(self)
        workspace.write("impl/demo/clean.cc", fixture("clean.cc"))
        self.assertEqual(self.run_main(workspace.root)[0], 0)


if __name__ == "__main__":
    unittest.main()
