"""crosscheck_test: a model-checking run as a Bazel test.

    load("//model_check:defs.bzl", "crosscheck_test")

    crosscheck_test(
        name = "raft_commit_old_term",
        protocol = "raft",
        args = ["--variant", "commit-old-term"],
        expect = "violation",
    )

The test runs `crosscheck check PROTOCOL ARGS --format json` and passes when
the result is `expect`. It writes the JSON result (result.json) and, for a
violation, its message-sequence chart (chart.svg) to the test's undeclared
outputs (bazel-testlogs/<package>/<name>/test.outputs/).

crosscheck_model_test is the same test with a checker binary of one's own,
for a protocol outside this repository (docs/your-protocol.md):

    load("@crosscheck//model_check:defs.bzl", "crosscheck_model_test")

    crosscheck_model_test(
        name = "abd_no_write_back",
        checker = ":abd_crosscheck",
        protocol = "abd",
        args = ["--variant", "no-write-back"],
        expect = "violation",
    )
"""

def crosscheck_model_test(
        name,
        checker,
        protocol,
        args = [],
        expect = "ok",
        chart = True,
        size = "medium",
        **kwargs):
    """A test that model-checks PROTOCOL with CHECKER and expects a result.

    Args:
      name: the test's name.
      checker: a checker binary: //model_check/cli:main linked with the
        library that registers PROTOCOL.
      protocol: as `CHECKER list` names it.
      args: more arguments of `CHECKER check`: --model, --variant, bounds.
      expect: "ok" (no property violated within the bounds) or "violation".
      chart: draw a violation's chart; False for a model without nodes, for
        which `--msc` is an error.
      size: the test's size; "medium" allows 5 minutes.
      **kwargs: passed to the underlying sh_test (tags, timeout, ...).
    """
    if expect not in ("ok", "violation"):
        fail("%s: expect is \"ok\" or \"violation\", not %r" % (name, expect))
    native.sh_test(
        name = name,
        size = size,
        srcs = [str(Label("//model_check:crosscheck_test.sh"))],
        args = ["$(rootpath %s)" % checker, expect, "1" if chart else "0", protocol] + args,
        data = [checker],
        **kwargs
    )

def crosscheck_test(name, protocol, args = [], expect = "ok", chart = True, size = "medium", **kwargs):
    """A test that model-checks PROTOCOL with crosscheck and expects a result.

    Args:
      name: the test's name.
      protocol: as `crosscheck list` names it (twophase, raft, paxos).
      args: more arguments of `crosscheck check`: --model, --variant, bounds.
      expect: "ok" (no property violated within the bounds) or "violation".
      chart: draw a violation's chart; False for a model without nodes (the
        abstract specs, `--model spec`), for which `--msc` is an error.
      size: the test's size; "medium" allows 5 minutes.
      **kwargs: passed to the underlying sh_test (tags, timeout, ...).
    """
    crosscheck_model_test(
        name = name,
        checker = str(Label("//:crosscheck")),
        protocol = protocol,
        args = args,
        expect = expect,
        chart = chart,
        size = size,
        **kwargs
    )
