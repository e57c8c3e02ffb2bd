"""libFuzzer fuzz targets as Bazel tests, built without switching Bazel's C++ toolchain.

The project's toolchain is gcc; libFuzzer needs clang. So the fuzzer binary is
built by a genrule that calls clang++ directly (one command: the fuzzer and
every .cc/.cpp of `srcs`), and an sh_test runs it for a bounded number of
iterations over a writable copy of the corpus. See README.md beside this file.

    load("//tools/fuzz:defs.bzl", "libfuzzer_test")

    libfuzzer_test(
        name = "edn_fuzz_test",
        fuzzer = "edn_fuzzer.cc",          # defines LLVMFuzzerTestOneInput
        srcs = ["//audit:edn_srcs"],       # library .cc/.cpp and headers (files or filegroups)
        corpus = glob(["corpus/edn/*"]),   # seed + regression inputs
        runs = 20000,                      # iterations in `bazel test`
        copts = [],                        # extra clang++ flags, e.g. -I paths
    )

makes
    <name>_bin     genrule: the fuzzer binary (bazel-bin/<pkg>/<name>_bin)
    <name>_corpus  filegroup of the corpus (tools/fuzz/run.sh reads it)
    <name>         sh_test, size small, tagged "fuzz"
"""

# Resolved against this file's repository, so the macro works from other
# workspaces too (there it reads @<this repo>//tools/fuzz:...).
_RUNNER = Label("//tools/fuzz:libfuzzer_test_runner.sh")

_SANITIZE = [
    # The action runs in a sandbox directory that changes from build to build:
    # the debug info (and so sanitizer reports) name workspace paths instead,
    # and the binary does not depend on which sandbox built it.
    "-fdebug-prefix-map=$$PWD=.",
    "-std=c++20",
    "-O1",
    "-g",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer,address,undefined",
    "-fno-sanitize-recover=undefined",
]

def _external_root(repo):
    """'@foo' -> 'external/foo'; the main repository ('@' or '') -> None."""
    name = repo.lstrip("@")
    if not name:
        return None
    return "external/" + name

def _include_flags(srcs):
    """-I/-iquote flags for the workspace root of the calling repository and
    of every external repository named in srcs, for the execroot and for
    $(GENDIR) (generated headers), so "audit/history.h" resolves either way."""
    roots = []
    caller = _external_root(native.repository_name())
    if caller:
        roots.append(caller)
    for src in srcs:
        if type(src) == "string" and src.startswith("@") and "//" in src:
            root = _external_root(src.split("//")[0])
            if root and root not in roots:
                roots.append(root)
    flags = ["-I.", "-I$(GENDIR)", "-iquote", ".", "-iquote", "$(GENDIR)"]
    for root in roots:
        flags += [
            "-I" + root,
            "-I$(GENDIR)/" + root,
            "-iquote",
            root,
            "-iquote",
            "$(GENDIR)/" + root,
        ]
    return flags

def libfuzzer_test(
        name,
        fuzzer,
        srcs = [],
        corpus = [],
        runs = 10000,
        copts = [],
        linkopts = [],
        max_total_time = 45,
        seed = 1,
        fuzzer_args = [],
        cxx = "clang++",
        size = "small",
        tags = [],
        visibility = None,
        **kwargs):
    """A libFuzzer target (clang++, ASan + UBSan) and a bounded test of it.

    Args:
      name: the sh_test; the binary is <name>_bin, the corpus <name>_corpus.
      fuzzer: the source file defining LLVMFuzzerTestOneInput.
      srcs: what the fuzzer needs: source files, headers, filegroups. Only
        .cc/.cpp/.cxx files are compiled; headers must be listed so that
        they are inputs of the sandboxed action.
      corpus: seed and regression inputs (usually a glob of a directory).
      runs: libFuzzer -runs in `bazel test` (env FUZZ_RUNS overrides).
      copts: extra clang++ flags (make variables such as $(location) work).
      linkopts: extra link flags, after -lpthread.
      max_total_time: libFuzzer -max_total_time in seconds, a safety cap
        below the small test's 60 s timeout (env FUZZ_MAX_TOTAL_TIME overrides).
      seed: libFuzzer -seed in `bazel test`, fixed so a run can be repeated
        (--test_env=FUZZ_SEED=N overrides; 0 lets libFuzzer choose).
      fuzzer_args: extra libFuzzer flags for the test, e.g. ["-max_len=4096"].
      cxx: the clang++ to call.
      size: the test's size.
      tags: tags of all three targets; the test also gets "fuzz".
      visibility: visibility of all three targets.
      **kwargs: passed to the sh_test (e.g. timeout, flaky, shard_count).
    """
    bin_name = name + "_bin"
    corpus_name = name + "_corpus"

    native.genrule(
        name = bin_name,
        srcs = [fuzzer] + srcs,
        outs = [name + "_fuzzer"],
        executable = True,
        # One clang++ command; only source files are compiled, headers are
        # in $(SRCS) so that the sandbox has them.
        cmd = " ".join([
            "sources=();",
            "for f in $(SRCS); do",
            "  case \"$$f\" in *.cc|*.cpp|*.cxx) sources+=(\"$$f\");; esac;",
            "done;",
            cxx,
        ] + _SANITIZE + _include_flags([fuzzer] + srcs) + copts + [
            "\"$${sources[@]}\"",
            "-o",
            "$@",
            "-lpthread",
        ] + linkopts),
        message = "Building libFuzzer target %s with %s" % (bin_name, cxx),
        tags = tags,
        visibility = visibility,
        testonly = True,
    )

    native.filegroup(
        name = corpus_name,
        srcs = corpus,
        tags = tags,
        visibility = visibility,
        testonly = True,
    )

    native.sh_test(
        name = name,
        size = size,
        srcs = [_RUNNER],
        data = [":" + bin_name, ":" + corpus_name],
        args = [
            "$(rootpath :%s)" % bin_name,
            str(runs),
            str(max_total_time),
            str(seed),
        ] + fuzzer_args + [
            "--",
            "$(rootpaths :%s)" % corpus_name,
        ],
        # `bazel test //... --test_tag_filters=-fuzz` leaves them out.
        tags = tags + ([] if "fuzz" in tags else ["fuzz"]),
        visibility = visibility,
        **kwargs
    )
