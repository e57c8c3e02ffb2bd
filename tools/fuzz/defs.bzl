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

A fuzzer that needs a whole tree of cc_library targets can take their
sources from `cc_sources` instead of a filegroup in every package, and
have them compiled once, a file an action, by `libfuzzer_objects`:

    cc_sources(name = "cli_srcs", deps = ["//model_check/cli:commands"])
    libfuzzer_objects(name = "cli_objects", srcs = [":cli_srcs"])
    libfuzzer_test(name = "replay_fuzz_test", fuzzer = "replay_fuzzer.cc", srcs = [":cli_objects"], ...)
"""

# Resolved against this file's repository, so the macro works from other
# workspaces too (there it reads @<this repo>//tools/fuzz:...).
_RUNNER = Label("//tools/fuzz:libfuzzer_test_runner.sh")

# The action runs in a sandbox directory that changes from build to build:
# the debug info (and so sanitizer reports) name workspace paths instead,
# and the binary does not depend on which sandbox built it. For a shell
# command; a genrule's wants $$ for $.
_DEBUG_PREFIX_MAP = "-fdebug-prefix-map=$PWD=."

_SANITIZE = [
    "-std=c++20",
    "-O1",
    "-g",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer,address,undefined",
    "-fno-sanitize-recover=undefined",
]

_CcSourcesInfo = provider(
    doc = "The source files and headers of a C++ target and of everything under it.",
    fields = ["files"],
)

def _cc_sources_aspect_impl(target, ctx):
    direct = []
    for attribute in ("srcs", "hdrs", "textual_hdrs"):
        direct += getattr(ctx.rule.files, attribute, [])
    transitive = [
        dep[_CcSourcesInfo].files
        for dep in getattr(ctx.rule.attr, "deps", [])
        if _CcSourcesInfo in dep
    ]
    return [_CcSourcesInfo(files = depset(direct, transitive = transitive))]

_cc_sources_aspect = aspect(
    implementation = _cc_sources_aspect_impl,
    attr_aspects = ["deps"],
)

def _cc_sources_impl(ctx):
    return [DefaultInfo(files = depset(transitive = [dep[_CcSourcesInfo].files for dep in ctx.attr.deps]))]

# The list of a library's sources, written by hand, would fall behind the
# first time someone adds a file to a library it depends on.
cc_sources = rule(
    implementation = _cc_sources_impl,
    doc = """Every source file and header of `deps` and of their deps, transitively,
    for libfuzzer_test's srcs. Link flags are not collected: give the
    fuzzer's linkopts (e.g. "-lz3") yourself.""",
    attrs = {
        "deps": attr.label_list(aspects = [_cc_sources_aspect], providers = [CcInfo]),
    },
)

def _is_source(file):
    return file.extension in ("cc", "cpp", "cxx")

def _libfuzzer_objects_impl(ctx):
    files = ctx.files.srcs
    headers = [file for file in files if not _is_source(file)]
    roots = {".": True}
    for file in files:
        if file.owner.workspace_root:
            roots[file.owner.workspace_root] = True
    include_flags = []
    for root in roots.keys():
        for directory in (root, ctx.bin_dir.path + "/" + root):
            include_flags += ["-I" + directory, "-iquote", directory]
    objects = []
    for source in [file for file in files if _is_source(file)]:
        path = source.short_path.replace("../", "external/")
        obj = ctx.actions.declare_file("%s/%s.o" % (ctx.label.name, path))
        ctx.actions.run_shell(
            inputs = [source] + headers,
            outputs = [obj],
            command = " ".join(
                [ctx.attr.cxx, _DEBUG_PREFIX_MAP] + _SANITIZE + include_flags + ctx.attr.copts +
                ["-c", source.path, "-o", obj.path],
            ),
            mnemonic = "LibFuzzerCompile",
            progress_message = "Compiling %s for libFuzzer" % source.short_path,
            use_default_shell_env = True,
        )
        objects.append(obj)
    return [DefaultInfo(files = depset(objects + headers))]

# libfuzzer_test's one clang++ command compiles a large tree for minutes on
# one core, again for each fuzzer and after any change; objects compile in
# parallel, once, and again only when their file or a header changes.
libfuzzer_objects = rule(
    implementation = _libfuzzer_objects_impl,
    doc = """The .cc/.cpp/.cxx files of `srcs` compiled as libfuzzer_test compiles
    them (clang++, libFuzzer's coverage, ASan, UBSan), one action a file.
    Gives the objects and the headers of `srcs`: put it in a
    libfuzzer_test's srcs instead of the sources, for the fuzzer to
    include the headers and link the objects.""",
    attrs = {
        "srcs": attr.label_list(allow_files = True),
        "copts": attr.string_list(doc = "extra clang++ flags (no make variables)"),
        "cxx": attr.string(default = "clang++", doc = "the clang++ to call"),
    },
)

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
      srcs: what the fuzzer needs: source files, headers, filegroups,
        libfuzzer_objects. Only .cc/.cpp/.cxx files are compiled and .o
        files linked; headers must be listed so that they are inputs of
        the sandboxed action.
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
        # One clang++ command; only source files are compiled and object
        # files (libfuzzer_objects) linked, headers are in $(SRCS) so that
        # the sandbox has them.
        cmd = " ".join([
            "sources=();",
            "for f in $(SRCS); do",
            "  case \"$$f\" in *.cc|*.cpp|*.cxx|*.o) sources+=(\"$$f\");; esac;",
            "done;",
            cxx,
            _DEBUG_PREFIX_MAP.replace("$", "$$"),
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
