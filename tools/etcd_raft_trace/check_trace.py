#!/usr/bin/env python3
"""Check a trace written by etcd_raft_trace.

  check_trace.py TRACE [--summary FILE]

Checks that every line is a well-formed trace event in etcd-io/raft's
format; that every received message was sent earlier, was in flight (its
sender's Ready came after the Send) and is received once; that a node's
Receive shows the state its previous event left it in; that terms and
commit indexes never go back and no term has two leaders; that a node's
configuration changes only through ApplyConfChange (to its newconf as the
incoming voters) and survives a restart; that a leader's log grows by one
entry at its acknowledgement to itself, after the Replicate or ChangeConf
of the entry, or without them only while its configuration is joint (the
leave it appends by itself); and that the run had a restart and a
membership change (a ChangeConf, then ApplyConfChange) and, from the
recorder's --summary line, dropped messages and crashed nodes. With
--joint, the run must also have a joint change (a ChangeConf of several
changes) and configurations entered and left, and the summary must count
them and the leaves appended.
Prints one line per problem and exits 1 if there is any.
"""

import argparse
import collections
import json
import re
import sys

ROLES = {"StateFollower", "StateCandidate", "StateLeader", "StatePreCandidate"}
MSG_TYPES = {"MsgApp", "MsgAppResp", "MsgVote", "MsgVoteResp", "MsgHeartbeat",
             "MsgHeartbeatResp", "MsgPreVote", "MsgPreVoteResp"}
SENDS = {"SendAppendEntriesRequest", "SendAppendEntriesResponse",
         "SendRequestVoteRequest", "SendRequestVoteResponse"}
RECEIVES = {"ReceiveAppendEntriesRequest", "ReceiveAppendEntriesResponse",
            "ReceiveRequestVoteRequest", "ReceiveRequestVoteResponse"}
NODE_EVENTS = {"InitState", "BecomeFollower", "BecomeCandidate", "BecomePreCandidate",
               "BecomeLeader", "Commit", "Replicate", "ChangeConf", "ApplyConfChange",
               "Ready"}
MSG_FIELDS = [("type", str), ("term", int), ("from", str), ("to", str), ("entries", int),
              ("logTerm", int), ("index", int), ("commit", int), ("vote", str),
              ("reject", bool), ("rejectHint", int)]
EVENT_KEYS = ["name", "nid", "state", "role", "log", "conf"]


def is_id(value):
    return isinstance(value, str) and value.isdigit()


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def shape_problems(ev):
    """What is wrong with one event's shape, as a list of strings."""
    keys = list(ev)
    if keys[:6] != EVENT_KEYS or not set(keys[6:]) <= {"msg", "prop"}:
        return [f"keys {keys}"]
    problems = []
    if ev["name"] not in SENDS | RECEIVES | NODE_EVENTS:
        problems.append(f"unknown event {ev['name']}")
    state = ev["state"]
    if list(state) != ["term", "vote", "commit"] or not is_id(state["vote"]) \
            or not is_count(state["term"]) or not is_count(state["commit"]):
        problems.append(f"state {state}")
    if not is_id(ev["nid"]) or ev["role"] not in ROLES or not is_count(ev["log"]):
        problems.append("nid, role or log")
    conf = ev["conf"]
    if len(conf) != 2 or not all(isinstance(h, list) and all(map(is_id, h)) for h in conf):
        problems.append(f"conf {conf}")
    has_msg = ev["name"] in SENDS | RECEIVES
    if has_msg != ("msg" in ev):
        problems.append("msg present iff Send/Receive")
    elif has_msg:
        msg = ev["msg"]
        if list(msg) != [k for k, _ in MSG_FIELDS] or msg["type"] not in MSG_TYPES or \
                not all(isinstance(msg[k], t) for k, t in MSG_FIELDS):
            problems.append(f"msg {msg}")
    if ev["name"] in {"ChangeConf", "ApplyConfChange"} and "cc" not in ev.get("prop", {}):
        problems.append("conf change without prop.cc")
    return problems


def msg_key(msg):
    return tuple(msg[k] for k, _ in MSG_FIELDS)


def node_state(ev):
    return (ev["state"]["term"], ev["state"]["vote"], ev["state"]["commit"], ev["role"],
            ev["log"], json.dumps(ev["conf"]))


class Checker:
    def __init__(self):
        self.problems = []
        self.pending = collections.defaultdict(list)  # sender -> sent, before its Ready
        self.in_flight = collections.Counter()
        self.last = {}            # nid -> state of its last event
        self.term = {}            # nid -> highest term seen
        self.commit = {}          # nid -> highest commit seen
        self.leaders = {}         # term -> nid
        self.seen_init = set()
        self.restarts = 0
        self.counts = collections.Counter()
        self.last_event = {}      # nid -> its last event
        self.changes = []         # ChangeConf events
        self.joint = collections.Counter()  # entered, left, leaves

    def fail(self, number, text):
        self.problems.append(f"line {number}: {text}")

    def event(self, number, ev):
        name, nid = ev["name"], ev["nid"]
        self.counts[name] += 1
        if name in SENDS:
            if ev["msg"]["from"] != nid:
                self.fail(number, "Send from another node")
            self.pending[nid].append(msg_key(ev["msg"]))
        elif name == "Ready":
            for key in self.pending.pop(nid, []):
                self.in_flight[key] += 1
        elif name in RECEIVES:
            self.receive(number, ev)
        elif name == "ChangeConf":
            self.changes.append(ev)
        elif name == "InitState":
            if nid in self.seen_init:
                self.restarts += 1
                self.pending.pop(nid, None)  # never happens: every action ends in a Ready
            self.seen_init.add(nid)
        self.monotonic(number, ev)
        self.configuration(number, ev)
        self.leader_log(number, ev)
        self.last[nid] = node_state(ev)
        self.last_event[nid] = ev

    def receive(self, number, ev):
        nid, key = ev["nid"], msg_key(ev["msg"])
        if ev["msg"]["to"] != nid:
            self.fail(number, "Receive of a message to another node")
        if self.in_flight[key] == 0:
            self.fail(number, f"received {ev['msg']} not in flight")
        else:
            self.in_flight[key] -= 1
        if self.last.get(nid) != node_state(ev):
            self.fail(number, f"node {nid} receives in state {node_state(ev)}, "
                              f"its last event left {self.last.get(nid)}")

    def monotonic(self, number, ev):
        nid, term, commit = ev["nid"], ev["state"]["term"], ev["state"]["commit"]
        if term < self.term.get(nid, 0) or commit < self.commit.get(nid, 0):
            self.fail(number, f"node {nid}: term or commit went back")
        self.term[nid] = max(term, self.term.get(nid, 0))
        self.commit[nid] = max(commit, self.commit.get(nid, 0))
        if ev["role"] == "StateLeader":
            if self.leaders.setdefault(term, nid) != nid:
                self.fail(number, f"two leaders in term {term}")

    def configuration(self, number, ev):
        """A node's conf changes only on ApplyConfChange; a restart keeps it."""
        before = self.last_event.get(ev["nid"])
        if before is None:
            return
        if before["name"] == "ApplyConfChange":
            if ev["conf"][0] != before["prop"]["cc"].get("newconf", []):
                self.fail(number, f"conf {ev['conf']} after applying "
                                  f"{before['prop']['cc']}")
            if before["conf"][1] and not ev["conf"][1]:
                self.joint["left"] += 1
            elif not before["conf"][1] and ev["conf"][1]:
                self.joint["entered"] += 1
        elif ev["conf"] != before["conf"]:
            self.fail(number, f"conf went from {before['conf']} to {ev['conf']} "
                              f"without ApplyConfChange")

    def leader_log(self, number, ev):
        """A leader's log grows at its acknowledgement of its own append."""
        before = self.last_event.get(ev["nid"])
        if before is None or before["role"] != "StateLeader" or ev["role"] != "StateLeader" \
                or before["state"]["term"] != ev["state"]["term"] or ev["log"] == before["log"]:
            return
        msg = ev.get("msg", {})
        if ev["name"] != "SendAppendEntriesResponse" or msg["to"] != ev["nid"] \
                or ev["log"] != before["log"] + 1 or msg["index"] != ev["log"]:
            self.fail(number, f"leader's log went from {before['log']} to {ev['log']}")
        elif before["name"] not in {"Replicate", "ChangeConf"}:
            if not before["conf"][1]:
                self.fail(number, "a leader appended an entry it did not trace "
                                  "outside a joint configuration")
            self.joint["leaves"] += 1

    def joint_coverage(self):
        if not any(len(ev["prop"]["cc"]["changes"]) > 1 for ev in self.changes):
            self.problems.append("no joint change")
        for key in ("entered", "left", "leaves"):
            if self.joint[key] == 0:
                self.problems.append(f"no joint configuration {key}")

    def coverage(self):
        if self.restarts == 0:
            self.problems.append("no restart")
        if self.counts["ChangeConf"] == 0 or self.counts["ApplyConfChange"] == 0:
            self.problems.append("no membership change")
        if self.counts["BecomeLeader"] == 0 or self.counts["Commit"] == 0:
            self.problems.append("no leader or no commit")


def check_summary(path, checker, joint):
    with open(path, encoding="utf-8") as f:
        fields = dict(re.findall(r"(\w+)=(\d+)", f.read()))
    for key in ("drops", "crashes"):
        if int(fields.get(key, 0)) == 0:
            checker.problems.append(f"summary: no {key}")
    if int(fields.get("events", -1)) != sum(checker.counts.values()):
        checker.problems.append("summary: event count differs from the trace")
    if joint:
        # The summary counts each joint configuration once; the trace shows
        # it at every node that applies it, and each leave where appended.
        if int(fields.get("leaves", -1)) != checker.joint["leaves"]:
            checker.problems.append("summary: leaves differ from the trace")
        for key in ("joint_entered", "joint_left"):
            if int(fields.get(key, 0)) == 0:
                checker.problems.append(f"summary: no {key}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("--summary", help="the recorder's --summary output")
    parser.add_argument("--joint", action="store_true",
                        help="the run had --joint: require joint changes")
    args = parser.parse_args()
    checker = Checker()
    with open(args.trace, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                checker.fail(number, f"not JSON: {err}")
                continue
            if list(record) != ["tag", "event"] or record["tag"] != "trace":
                checker.fail(number, "not a {tag: trace, event} record")
                continue
            problems = shape_problems(record["event"])
            for problem in problems:
                checker.fail(number, problem)
            if not problems:
                checker.event(number, record["event"])
    checker.coverage()
    if args.joint:
        checker.joint_coverage()
    if args.summary:
        check_summary(args.summary, checker, args.joint)
    for problem in checker.problems[:50]:
        print(f"{args.trace}: {problem}")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
