#!/usr/bin/env python3
"""Writes a Promela model of Lamport's Paxos.tla for SPIN, for given bounds.

    tools/bench/spin/paxos_pml.py [--acceptors N] [--values N] [--max-ballot N] [-o FILE]

Its state space is that of `crosscheck check paxos --model spec` with the
same bounds (spec/paxos/paxos.cc), one SPIN state per TLA+ state: a single
process whose `do` loop has one `d_step` branch per action instance, so
that SPIN stores no program-counter state between a guard and its update.
msgs is a set kept as bits. Quorums are the majorities.
"""
import argparse
import itertools
import sys

WIDTH = 100  # columns of the model's lines


class Bounds:
    def __init__(self, acceptors, values, max_ballot):
        self.n = acceptors
        self.values = values
        self.max_ballot = max_ballot
        self.acceptors = range(acceptors)
        self.ballots = range(max_ballot + 1)
        self.value_range = range(1, values + 1)
        self.majority = acceptors // 2 + 1
        self.quorums = [q for k in range(self.majority, acceptors + 1)
                        for q in itertools.combinations(self.acceptors, k)]
        # An acceptor's 1b for one ballot reports (mbal, mval), mbal in
        # -1..max_ballot and mval None (0) or a value: one bit each.
        self.one_b_width = (max_ballot + 2) * (values + 1)


def pack(terms, op, indent, first, width=WIDTH - 2):
    """terms joined by op, wrapped to width (room left for a macro's " \\"):
    the first line starts at column `first`, the others with indent."""
    lines, line, column = [], "", first
    for term in terms:
        piece = term if not line else " %s %s" % (op, term)
        if line and column + len(piece) + len(op) + 1 > width:
            lines.append(line + " " + op)
            line, column = term, len(indent) + len(term)
        else:
            line, column = line + piece, column + len(piece)
    return lines + [line]


def define(head, body):
    """A #define of several lines."""
    return ["#define %s \\" % head] + [line + " \\" for line in body[:-1]] + [body[-1]]


def packed_fields(fields):
    """(name, width, comment) bit fields in an order in which the C compiler's
    sequential layout fills each 32-bit unit (first fit, widest first); a
    careless order leaves holes and makes the state vector longer."""
    units = []
    for field in sorted(fields, key=lambda f: -f[1]):
        for unit in units:
            if sum(f[1] for f in unit) + field[1] <= 32:
                unit.append(field)
                break
        else:
            units.append([field])
    return [field for unit in units for field in unit]


def variables(b):
    ballots = b.max_ballot + 1
    votes = ballots * b.values
    fields = [("sent1a", ballots, "bit b: a 1a for ballot b"),
              ("sent2a", votes, "bit b*%d + v-1: a 2a for ballot b, value v" % b.values)]
    fields += [("sent2b_%d" % a, votes, "the same bits: acceptor %d's 2b (votes)" % a)
               for a in b.acceptors]
    fields += [("sent1b_%d_%d" % (a, bal), b.one_b_width,
                "acceptor %d's 1b for ballot %d" % (a, bal))
               for a in b.acceptors for bal in b.ballots]
    lines = [
        "/* Each acceptor's variables, one more than Paxos.tla's (a byte holds no",
        "   -1): maxBal1[a] = maxBal[a] + 1, the highest ballot it promised;",
        "   maxVBal1[a] = maxVBal[a] + 1 and maxVal[a], the ballot and value of its",
        "   last vote. Initially maxBal = maxVBal = -1, maxVal = None (0). */",
        "byte maxBal1[%d] = 0;" % b.n,
        "byte maxVBal1[%d] = 0;" % b.n,
        "byte maxVal[%d] = 0;" % b.n,
        "",
        "/* msgs, every message ever sent, as bit sets: messages are never removed,",
        "   and sending one sets its bit. sent1b_a_b holds acceptor a's 1b for",
        "   ballot b reporting (mbal, mval) as bit (mbal+1)*%d + mval. The fields"
        % (b.values + 1),
        "   are ordered to pack into 32-bit words. */",
    ]
    lines += ["unsigned %s : %d;  /* %s */" % f for f in packed_fields(fields)]
    return lines


def message_macros(b):
    w = b.values + 1
    return [
        "/* Acceptor a's 1b for ballot b: sent; reports no vote (mbal -1); reports",
        "   the vote (c, v); reports no vote above ballot c. */",
        "#define ANSWERED(a, b) (sent1b_##a##_##b != 0)",
        "#define NO_VOTE(a, b) ((sent1b_##a##_##b >> %d) == 0)" % w,
        "#define REPORTS(a, b, c, v) ((sent1b_##a##_##b >> (((c) + 1) * %d + (v))) & 1)" % w,
        "#define NONE_ABOVE(a, b, c) ((sent1b_##a##_##b >> (((c) + 2) * %d)) == 0)" % w,
        "/* A 2a for ballot b and value v was sent; acceptor a voted v in b. */",
        "#define PROPOSED(b, v) ((sent2a >> ((b) * %d + (v) - 1)) & 1)" % b.values,
        "#define VOTED(a, b, v) ((sent2b_##a >> ((b) * %d + (v) - 1)) & 1)" % b.values,
    ]


def phase2a_macros(b):
    """Phase2a's quorum condition, as paxos.cc's quorum_answered_for: every
    member of Q sent a 1b for b, and none reports a vote or v is the value of
    one that reports the highest vote."""
    lines = [
        "/* Phase2a's condition on quorum Q and ballot b: every member of Q sent a",
        "   1b for b, and either none of them reports a vote or v is the value of",
        "   one reporting the highest vote. HIGHEST_Q(b, c, v): some member reports",
        "   (c, v) and none a vote above c. SHOWN_Q(b, v): the whole condition. */",
    ]
    for q in b.quorums:
        name = "".join(str(a) for a in q)
        reports = pack(["REPORTS(%d, b, c, v)" % a for a in q], "||", "    ", 4)
        above = pack(["NONE_ABOVE(%d, b, c)" % a for a in q], "&&", "   ", 3)
        body = ["  ((" + reports[0]] + ["    " + l for l in reports[1:]]
        body[-1] += ") &&"
        body += ["   " + l for l in above]
        body[-1] += ")"
        lines += define("HIGHEST_%s(b, c, v)" % name, body)
        answered = pack(["ANSWERED(%d, b)" % a for a in q], "&&", "   ", 3)
        options = ["(%s)" % " && ".join("NO_VOTE(%d, b)" % a for a in q)]
        options += ["HIGHEST_%s(b, %d, v)" % (name, c) for c in b.ballots]
        body = ["  (" + answered[0]] + ["   " + l for l in answered[1:]]
        body[-1] += " &&"
        options = pack(options, "||", "    ", 4)
        body += ["   (" + options[0]] + ["    " + l for l in options[1:]]
        body[-1] += "))"
        lines += define("SHOWN_%s(b, v)" % name, body)
    return lines


def property_macros(b):
    lines = [
        "/* Voting's chosen: some quorum all voted for v in one ballot; with",
        "   majorities, %d of the %d acceptors did. */" % (b.majority, b.n),
    ]
    votes = pack(["VOTED(%d, b, v)" % a for a in b.acceptors], "+", "   ", 3)
    votes[-1] += " >= %d)" % b.majority
    lines += define("CHOSEN_AT(b, v)", ["  (" + votes[0]] + ["   " + l for l in votes[1:]])
    at = pack(["CHOSEN_AT(%d, v)" % c for c in b.ballots], "||", "   ", 3)
    at[-1] += ")"
    lines += define("CHOSEN(v)", ["  (" + at[0]] + ["   " + l for l in at[1:]])
    agreement = pack(["CHOSEN(%d)" % v for v in b.value_range], "+", "   ", 3)
    agreement[-1] += " <= 1)"
    proposed = [
        "(!CHOSEN(%d) || %s)"
        % (v, "(%s)" % " || ".join("PROPOSED(%d, %d)" % (c, v) for c in b.ballots))
        for v in b.value_range
    ]
    validity = pack(proposed, "&&", "   ", 3)
    validity[-1] += ")"
    lines += [
        "/* Agreement: at most one value is chosen. Validity: a chosen value was",
        "   proposed in some 2a message. */",
    ]
    lines += define("AGREEMENT", ["  (" + agreement[0]] + ["   " + l for l in agreement[1:]])
    lines += define("VALIDITY", ["  (" + validity[0]] + ["   " + l for l in validity[1:]])
    lines += [
        "/* Both are asserted inside every d_step after its update: in every state",
        "   but the initial one, where nothing is chosen. An assert at the loop",
        "   head would be a statement of its own, a second stored state for each",
        "   TLA+ state. */",
        "#define CHECK assert(AGREEMENT); assert(VALIDITY)",
    ]
    return lines


def process(b):
    w = b.values + 1
    lines = [
        "active proctype paxos() {",
        "  do",
        "  /* Phase1a(b): a leader starts ballot b, asking the acceptors to join it",
        "     (sends a 1a). Always enabled; once the 1a is in msgs it changes nothing. */",
    ]
    for bal in b.ballots:
        lines.append("  :: d_step { sent1a = sent1a | %d; CHECK }  /* Phase1a(%d) */"
                     % (1 << bal, bal))
    lines += [
        "  /* Phase1b(a), one branch per 1a it may take, of ballot b: if b is above",
        "     its promise maxBal, acceptor a promises b and sends a 1b reporting its",
        "     last vote (maxVBal, maxVal). */",
    ]
    for a in b.acceptors:
        for bal in b.ballots:
            var = "sent1b_%d_%d" % (a, bal)
            lines += [
                "  :: d_step { (sent1a & %d) && maxBal1[%d] < %d ->  /* Phase1b(%d), 1a %d */"
                % (1 << bal, a, bal + 1, a, bal),
                "       maxBal1[%d] = %d; %s = %s | (1 << (maxVBal1[%d] * %d + maxVal[%d]));"
                " CHECK }" % (a, bal + 1, var, var, a, w, a),
            ]
    lines += [
        "  /* Phase2a(b, v): if no 2a of ballot b was sent and the 1bs of some quorum",
        "     for b leave v free (SHOWN_Q), a leader proposes v in b (sends a 2a). */",
    ]
    for bal in b.ballots:
        for v in b.value_range:
            none_sent = sum(1 << (bal * b.values + u - 1) for u in b.value_range)
            shown = pack(["SHOWN_%s(%d, %d)" % ("".join(map(str, q)), bal, v)
                          for q in b.quorums], "||", "        ", 8, width=WIDTH - 4)
            shown[-1] += ") ->"
            lines += ["  :: d_step { (sent2a & %d) == 0 &&  /* Phase2a(%d, %d) */"
                      % (none_sent, bal, v),
                      "       (" + shown[0]]
            lines += ["        " + l for l in shown[1:]]
            lines.append("       sent2a = sent2a | %d; CHECK }" % (1 << (bal * b.values + v - 1)))
    lines += [
        "  /* Phase2b(a), one branch per 2a (b, v) it may take: unless it promised a",
        "     higher ballot, acceptor a votes v in b (sends a 2b), and maxBal, maxVBal",
        "     and maxVal record the vote. */",
    ]
    for a in b.acceptors:
        for bal in b.ballots:
            for v in b.value_range:
                bit = 1 << (bal * b.values + v - 1)
                lines += [
                    "  :: d_step { (sent2a & %d) && maxBal1[%d] <= %d ->  "
                    "/* Phase2b(%d), 2a (%d, %d) */" % (bit, a, bal + 1, a, bal, v),
                    "       maxBal1[%d] = %d; maxVBal1[%d] = %d; maxVal[%d] = %d; "
                    "sent2b_%d = sent2b_%d | %d; CHECK }"
                    % (a, bal + 1, a, bal + 1, a, v, a, a, bit),
                ]
    return lines + ["  od", "}"]


def model(b):
    lines = [
        "/* Lamport's Paxos.tla (tlaplus/Examples, specifications/Paxos) for SPIN:",
        "   %d acceptors, values 1..%d, ballots 0..%d, quorums the majorities."
        % (b.n, b.values, b.max_ballot),
        "   Written by tools/bench/spin/paxos_pml.py. Its states are those of",
        "   `crosscheck check paxos --model spec --acceptors %d --values %d --max-ballot %d`:"
        % (b.n, b.values, b.max_ballot),
        "   one process, one d_step per action instance, one stored state per",
        "   TLA+ state. Acceptors are 0..%d here. */" % (b.n - 1),
        "",
    ]
    for part in (variables, message_macros, phase2a_macros, property_macros, process):
        lines += part(b) + [""]
    long_lines = [line for line in lines if len(line) > WIDTH]
    assert not long_lines, long_lines
    return "\n".join(lines[:-1]) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acceptors", type=int, default=3)
    parser.add_argument("--values", type=int, default=2)
    parser.add_argument("--max-ballot", type=int, default=3)
    parser.add_argument("-o", "--output", help="the file to write (default stdout)")
    args = parser.parse_args()
    if not (1 <= args.acceptors <= 5 and 1 <= args.values <= 3 and 0 <= args.max_ballot <= 3):
        sys.exit("paxos_pml: crosscheck's bounds are 1..5 acceptors, 1..3 values, "
                 "max ballot 0..3")
    text = model(Bounds(args.acceptors, args.values, args.max_ballot))
    if args.output:
        with open(args.output, "w") as out:
            out.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
