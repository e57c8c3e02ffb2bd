// Command etcd_raft_trace drives etcd's Raft library, v3.4, through a
// seeded random schedule and writes what happens as a trace in
// etcd-io/raft's format (state_trace.go there; tla/Traceetcdraft.tla
// checks such traces against tla/etcdraft.tla): NDJSON, one
// {"tag":"trace","event":{...}} per line, with no timestamps.
//
//	etcd_raft_trace --seed 7 [--steps 2000] [--nodes 3] [--prevote]
//	    [--checkquorum] [--joint] [--out FILE] [--summary]
//
// The cluster is N RawNodes on MemoryStorage, ids 1..N, bootstrapped with
// peers 1..N. Each step the driver ticks a node, delivers an in-flight
// message (any one: the network reorders), drops one, crashes a node,
// restarts a crashed one from its storage, proposes a value at a leader,
// or, a few times a run, proposes a membership change: a new node N+1,
// N+2, ... (empty storage, no peers, caught up through MsgApp probes; logs
// are never compacted, so no snapshots) or the removal of a follower.
// With --joint, the run's first membership change and one in two after it
// are joint (a ConfChangeV2 with ConfChangeTransitionAuto): one or two
// followers replaced by as many new nodes at once, which v3.4 applies as
// a joint configuration that the leader leaves by itself (joint.go).
// After each call into a node every Ready is handled in full (entries and
// HardState stored, committed entries applied, ApplyConfChange for conf
// entries, messages put on the network, Advance). A removed node (one
// that a node's applied configuration no longer has, outgoing voters
// included) stops; messages to a crashed or removed node are lost. A
// leader proposes no conf change while one may be unapplied (it has not
// applied its last index when elected, or its last conf change or leave)
// or while its configuration is joint, which v3.4 would refuse. Same
// flags, same bytes: see seed.go for raft's clock-seeded randomness.
//
// # How each event is derived
//
// Modern etcd traces from inside raft; v3.4 has no hooks, so each call is
// bracketed: Status() and the storage's last index before, the call, then
// Status() and the first Ready's entries after. The events etcd would
// have written in between follow from the two states, the message and
// the Ready's messages:
//
//   - InitState: a node's state when created or restarted (term, vote,
//     commit from its HardState, log = last index, conf from the stored
//     ConfState). Bootstrap nodes write it after bootstrapping: term 1,
//     log and commit N, conf [1..N]. Added nodes: term 0, log 0, conf [].
//   - Receive*: when a message is stepped, with the state before.
//     RawNode.Step drops a response from a node without progress before
//     raft.Step traces; so are they dropped here, untraced.
//   - BecomeFollower: a higher term in a message (term = the message's,
//     vote 0, log and commit as before: the rest of the step comes after);
//     a (pre-)candidate hearing MsgApp or MsgHeartbeat of its own term; a
//     lost election; a leader stepping down under CheckQuorum on a tick.
//   - BecomeCandidate / BecomePreCandidate: a call whose Ready asks for
//     votes (pre-votes), with the state after. etcd does not trace
//     pre-candidacy; this trace does.
//   - BecomeLeader and the empty entry's Replicate: state after the vote
//     that wins, but with the log before (etcd traces before appending).
//   - Replicate: a proposal, with the state before. ChangeConf replaces it
//     for an accepted conf change (prop.cc.changes: every change of a
//     joint one, in its order); etcd writes no Replicate for conf entries.
//     A refused one is appended as an empty normal entry, hence a
//     Replicate.
//   - The leave of a joint configuration: v3.4's leader appends it in
//     the Advance of the Ready that applied the joint configuration
//     (for a leader elected while joint: that applied its last index
//     when elected). Modern etcd writes no ChangeConf for it (no
//     changes) and no Replicate (not a normal entry); neither does
//     this trace. The append shows in the next Ready's Sends: the
//     messages that applying the configuration produced, with the log
//     before the leave (etcd sent them before it appended), then
//     SendAppendEntriesResponse self->self with the log and index of
//     the leave; after that Ready its Receive and Commit, as for any
//     append.
//   - Commit: when modern etcd calls maybeCommit: a leader's MsgAppResp
//     that raises the sender's Match (or confirms it while the sender is
//     probed; v3.4 does not re-evaluate there, but its commit index is a
//     fixpoint, so the event shows the same value), its own
//     acknowledgement, and a leader applying a conf change. State after.
//   - Send*: one per message of the Ready, in its order, with the state
//     after the call, written after the call's state changes and before
//     the node's Ready. A granted MsgVoteResp shows the vote the node held
//     before granting (etcd sends, then records the vote). A MsgApp
//     carries prop {match, next}: the leader's own progress, as etcd's.
//   - Self messages: etcd sends the candidate's vote for itself and the
//     leader's acknowledgement of its own append as messages to itself;
//     v3.4 counts them inside the call. A campaign writes a
//     SendRequestVoteResponse self->self among its vote requests (voter id
//     order; MsgPreVoteResp of term+1 for a pre-campaign); an append writes
//     SendAppendEntriesResponse self->self (index = the new last index)
//     before its MsgApps. Their Receive (and the ack's Commit) follow the
//     node's Ready, before anything else happens in the cluster, so the
//     self-ack is counted before any follower's ack of the same entries.
//   - ApplyConfChange: when a node applies a committed conf entry, with
//     conf = the configuration before and prop.cc.newconf = the incoming
//     voters after (etcd traces at the start of switchToConfig). Entering
//     a joint configuration and leaving it are one each: conf
//     [[old],[]] then newconf [new]; conf [[new],[old]] then newconf
//     [new]. Every event's conf is [[incoming],[outgoing]], outgoing
//     empty unless joint; a restart keeps the stored ConfState, joint
//     included.
//   - Ready: one per Ready handled, after storage, apply and Advance; its
//     messages are in flight from there on. The Readys that follow within
//     the same action carry what applying a conf change sent; their Sends
//     use the state at that point, which is the state at sending.
//   - Drops, losses, crashes and ticks write nothing.
//
// # What v3.4 cannot show
//
// Anything between the two snapshots of a call: intermediate states are
// reconstructed from the code paths above, not observed, and a transition
// the derivation cannot explain (role or term) stops the run. The leave
// of a joint configuration is seen only through the leader's own Match
// passing its stored log after Advance. v3.4 sends no MsgApp when it
// appends the leave (modern etcd broadcasts it at once): the leave
// reaches the followers with the next MsgApp their answers or heartbeat
// answers draw. v3.4 does not raise pendingConfIndex for its leave, so a
// leader that applies entries behind it appends a second leave, and
// applying that one panics (etcd-io/etcd#12582); with --joint, values are
// therefore proposed only at a leader with no conf change to apply and
// no joint configuration: the leader has applied its whole log when it
// appends the leave, and applies nothing else before it. v3.4 has
// no self-addressed messages: the self-vote and self-ack are counted at
// once, so their receipts here are placed, not observed (v3.4's commit
// cannot move on them with two voters or more, so the order is
// consistent). Modern etcd writes Ready when the application fetches it,
// before applying; here it comes after (as the validator expects: the
// persisted state includes the applied configuration). v3.4 messages have
// no Vote field ("0" here), rejections carry v3.4's hint (the follower's
// last index) and no LogTerm, and modern etcd's InitState on restart
// shows the state before loading the HardState; here it shows the
// restored state.
//
// # Where the library and etcdraft.tla differ
//
// Real behaviour, traced as it happens: after a stale rejection of a
// probe, v3.4 resends from below the follower's Match (MaybeDecrTo has no
// Match floor in the probe state; modern etcd has one); a follower that
// knows its term's leader refuses that term's votes (canVote needs
// lead == None); under CheckQuorum a vote or pre-vote inside the leader
// lease is ignored (a Receive with no answer and no new term); with
// PreVote or CheckQuorum an append of a lower term is answered with a
// MsgAppResp of the higher term that does not reject; a MsgVote of a
// lower term gets no answer.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
)

func main() {
	opts, out, summary := parseFlags()
	if err := run(opts, out, summary); err != nil {
		fmt.Fprintln(os.Stderr, "etcd_raft_trace:", err)
		os.Exit(1)
	}
}

func parseFlags() (options, string, bool) {
	var opts options
	flag.Int64Var(&opts.seed, "seed", 1, "seed of the schedule and of raft's election timeouts")
	flag.IntVar(&opts.steps, "steps", 2000, "driver actions")
	flag.IntVar(&opts.nodes, "nodes", 3, "initial voters (3 to 9)")
	flag.BoolVar(&opts.preVote, "prevote", false, "raft.Config.PreVote")
	flag.BoolVar(&opts.checkQuorum, "checkquorum", false, "raft.Config.CheckQuorum")
	flag.BoolVar(&opts.joint, "joint", false, "make some membership changes joint (ConfChangeV2)")
	out := flag.String("out", "", "trace file (default stdout)")
	summary := flag.Bool("summary", false, "print counts to stderr")
	flag.Parse()
	if flag.NArg() > 0 || opts.nodes < 3 || opts.nodes > 9 || opts.steps < 0 {
		fmt.Fprintln(os.Stderr, "etcd_raft_trace: bad arguments (see --help)")
		os.Exit(2)
	}
	return opts, *out, *summary
}

func run(opts options, path string, summary bool) error {
	var w io.Writer = os.Stdout
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	seedRaft(opts.seed)
	tr := newTracer(w)
	c := newCluster(opts, tr)
	c.bootstrap()
	d := &driver{c: c, rng: rand.New(rand.NewSource(opts.seed))}
	d.run()
	if err := tr.flush(); err != nil {
		return err
	}
	if summary {
		fmt.Fprintln(os.Stderr, summaryLine(opts, c, d))
	}
	return nil
}

func summaryLine(opts options, c *cluster, d *driver) string {
	s := c.stats
	joint := ""
	if opts.joint {
		joint = fmt.Sprintf("joints=%d joint_entered=%d joint_left=%d leaves=%d ",
			s.joints, s.entered, s.left, s.leaves)
	}
	return fmt.Sprintf("seed=%d events=%d drops=%d lost=%d ignored=%d crashes=%d "+
		"restarts=%d confchanges=%d adds=%d removes=%d refused=%d applied_cc=%d "+
		"proposals=%d max_term=%d in_flight=%d %s%s",
		opts.seed, c.tr.total, s.drops, s.lost, s.ignored, s.crashes, s.restarts,
		d.changes, s.adds, s.removes, s.refusals, s.appliedChanges, s.proposals,
		s.maxTerm, len(c.net), joint, c.tr.byKind())
}
