"""A small C++ scanner for the house rules: no parser, just enough lexing.

blank_non_code() turns comments, string and character literals and
preprocessor lines into spaces, keeping every newline, so that braces and
parentheses can be counted and line numbers still match the file.
find_functions() then matches braces to find the bodies of functions defined
at namespace or class scope.
"""

import bisect
import dataclasses
import re

_RAW_STRING_START = re.compile(r'(?:u8|u|U|L)?R"([^()\\\s]{0,16})\(')


def _blank(text, start, end):
    """The characters of text[start:end] as spaces, newlines kept."""
    return re.sub(r"[^\n]", " ", text[start:end])


def _is_digit_separator(text, quote):
    """Whether the quote at text[quote] separates digits, as in 1'000'000."""
    start = quote
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'."):
        start -= 1
    return start < quote and text[start].isdigit()


def _literal_end(text, start, quote):
    """The index just past the quoted literal opening at text[start]."""
    i = start + 1
    while i < len(text) and text[i] != quote and text[i] != "\n":
        i += 2 if text[i] == "\\" else 1
    return min(i + 1, len(text))


def _preprocessor_end(text, start):
    """The index of the newline ending the directive at text[start]."""
    i = start
    while True:
        newline = text.find("\n", i)
        if newline < 0:
            return len(text)
        if text[newline - 1] != "\\":
            return newline
        i = newline + 1


def _at_line_start(text, i):
    line_start = text.rfind("\n", 0, i) + 1
    return text[line_start:i].strip() == ""


def _skip_end(text, i):
    """Where the non-code span starting at text[i] ends, or None if code."""
    two = text[i:i + 2]
    if two == "//":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if two == "/*":
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 2
    raw = _RAW_STRING_START.match(text, i)
    if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
        end = text.find(")" + raw.group(1) + '"', raw.end())
        return len(text) if end < 0 else end + len(raw.group(1)) + 2
    if text[i] == '"':
        return _literal_end(text, i, '"')
    if text[i] == "'" and not _is_digit_separator(text, i):
        return _literal_end(text, i, "'")
    if text[i] == "#" and _at_line_start(text, i):
        return _preprocessor_end(text, i)
    return None


def blank_non_code(text):
    """text with comments, literals and preprocessor lines as spaces."""
    pieces = []
    copied = 0
    i = 0
    while i < len(text):
        end = _skip_end(text, i)
        if end is None:
            i += 1
            continue
        pieces.append(text[copied:i])
        pieces.append(_blank(text, i, end))
        copied = i = end
    pieces.append(text[copied:])
    return "".join(pieces)


@dataclasses.dataclass
class Function:
    name: str
    first_line: int  # where its declaration starts (1-based)
    last_line: int  # its closing brace

    @property
    def lines(self):
        return self.last_line - self.first_line + 1


# Keywords that take parentheses but never name a function.
_NOT_NAMES = {"decltype", "alignas", "noexcept", "requires", "sizeof", "__attribute__",
              "__declspec", "throw", "static_assert"}

# The name at the end of a head, such as `Search::run` or `Table::~Table`,
# and the qualifier before an `operator==`.
_NAME_END = re.compile(r"(?:[A-Za-z_]\w*\s*::\s*)*~?[A-Za-z_]\w*\s*$")
_QUALIFIER_END = re.compile(r"(?:[A-Za-z_]\w*\s*::\s*)*$")

_OPERATOR = re.compile(r"\boperator\s*(\(\s*\)|\[\s*\]|[^\w\s(]+|\w[\w\s:<>,*&]*?)\s*$")


def _strip_templates(head):
    """head without leading `template <...>` clauses and attributes."""
    while True:
        head = head.lstrip()
        if head.startswith("[["):
            end = head.find("]]")
            head = head[end + 2:] if end >= 0 else ""
            continue
        match = re.match(r"template\s*<", head)
        if not match:
            return head
        depth = 0
        for i in range(match.end() - 1, len(head)):
            depth += {"<": 1, ">": -1}.get(head[i], 0)
            if depth == 0:
                head = head[i + 1:]
                break
        else:
            return ""


def _top_level(head):
    """head with everything inside (), [] and {} replaced by spaces."""
    out = []
    depth = 0
    for c in head:
        if c in "([{":
            depth += 1
            out.append(c if depth == 1 else " ")
        elif c in ")]}":
            depth = max(depth - 1, 0)
            out.append(c if depth == 0 else " ")
        else:
            out.append(c if depth == 0 else " ")
    return "".join(out)


def _without_template_args(name):
    """name without what its angle brackets hold: Foo<T>::bar is Foo::bar."""
    out = []
    depth = 0
    for c in name:
        if c == "<":
            depth += 1
        elif c == ">":
            depth = max(depth - 1, 0)  # the `>` of an `->`, too
        elif depth == 0:
            out.append(c)
    return "".join(out)


def _macro_name(name, head, open_paren):
    """TEST(Suite, Name) for a macro-defined test: NAME(first, second)."""
    close = _top_level(head[open_paren:]).find(")") + open_paren
    args = [a.strip() for a in head[open_paren + 1:close].split(",")]
    return name + "(" + ",".join(a for a in args[:2] if a) + ")"


def _function_name(head):
    """The name a function definition's head declares, or None."""
    flat = _top_level(head)
    for match in re.finditer(r"\(", flat):
        before = head[:match.start()].rstrip()
        if re.search(r"\boperator$", before):
            continue  # the first parenthesis of `operator()`
        operator = _OPERATOR.search(before)
        if operator:
            prefix = _QUALIFIER_END.search(_without_template_args(before[:operator.start()]))
            return "".join((prefix.group(0) + "operator" + operator.group(1)).split())
        name = _NAME_END.search(_without_template_args(before))
        if not name:
            continue
        name = "".join(name.group(0).split())
        if name.split("::")[-1] in _NOT_NAMES:
            continue
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            return _macro_name(name, head, match.start())
        return name
    return None


def _has_ctor_initializers(flat):
    """Whether a head's top-level text has a `:` of a constructor's initializers."""
    close = flat.find(")")
    return close >= 0 and re.search(r"(?<!:):(?!:)", flat[close:]) is not None


def _classify(head, paren_depth):
    """What a `{` met at namespace or class scope opens.

    One of "head" (a brace inside a declaration that goes on after it),
    "namespace", "class", "function" or "other" (an initializer, an enum).
    """
    if paren_depth > 0:
        return "head"
    head = _strip_templates(head)
    flat = _top_level(head)
    if re.match(r"(inline\s+)?namespace\b|extern\s*$", flat):
        return "namespace"
    masked = re.sub(r"\boperator\s*[^\w\s(]+", "operator_", flat)
    if "=" in masked or re.match(r"enum\b", flat):
        return "other"
    keyword = re.search(r"\b(class|struct|union)\b", flat)
    if keyword and "(" not in flat[:keyword.start()]:
        return "class"
    if ")" not in flat:
        return "other"
    if _has_ctor_initializers(flat) and re.search(r"[\w>]\s*$", flat):
        return "head"  # a member's brace initializer: `: member_{value}`
    return "function"


class _Scanner:
    """Matches braces over blanked code, collecting function definitions."""

    def __init__(self, code):
        self.code = code
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", code)]
        self.scopes = []  # (kind, name, opening index, head start index)
        self.head_start = 0
        self.paren_depth = 0
        self.functions = []

    def at_declaration_scope(self):
        return all(kind in ("namespace", "class") for kind, _, _, _ in self.scopes)

    def open_brace(self, i):
        if not self.at_declaration_scope():
            self.scopes.append(("block", None, i, None))
            return
        head = self.code[self.head_start:i]
        kind = _classify(head, self.paren_depth)
        name = None
        if kind == "class":
            words = re.findall(r"\b(?:class|struct|union)\s+([A-Za-z_]\w*)", _top_level(head))
            name = words[0] if words else None
        elif kind == "function":
            name = _function_name(_strip_templates(head))
        self.scopes.append((kind, name, i, self.head_start))
        if kind != "head":
            self.head_start = i + 1

    def close_brace(self, i):
        if not self.scopes:
            return
        kind, name, _, head_start = self.scopes.pop()
        if kind == "head":
            return
        if kind == "function" and name and self.at_declaration_scope():
            self.record(name, head_start, i)
        if self.at_declaration_scope():
            self.head_start = i + 1

    def ends_access_label(self, colon):
        return self.code[self.head_start:colon].strip() in ("public", "private", "protected")

    def record(self, name, head_start, close):
        classes = [n for kind, n, _, _ in self.scopes if kind == "class" and n]
        is_macro = re.match(r"[A-Z][A-Z0-9_]*\(", name)
        qualified = name if is_macro else "::".join(classes + [name])
        first = head_start + len(self.code[head_start:close]) - len(
            self.code[head_start:close].lstrip())
        self.functions.append(Function(qualified, self.line_of(first), self.line_of(close)))

    def line_of(self, index):
        return bisect.bisect_right(self.line_starts, index)

    def run(self):
        for i, c in enumerate(self.code):
            if c == "{":
                self.open_brace(i)
            elif c == "}":
                self.close_brace(i)
            elif not self.at_declaration_scope():
                continue
            elif c == ";" and self.paren_depth == 0 or c == ":" and self.ends_access_label(i):
                self.head_start = i + 1
            elif c == "(":
                self.paren_depth += 1
            elif c == ")":
                self.paren_depth = max(self.paren_depth - 1, 0)
        return self.functions


def find_functions(text):
    """The functions text defines at namespace or class scope, in order."""
    return _Scanner(blank_non_code(text)).run()


_INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)


def find_includes(text):
    """(line, path, is_quoted) for every #include directive in text."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(2).strip(), m.group(1) == '"')
            for m in _INCLUDE.finditer(text)]
