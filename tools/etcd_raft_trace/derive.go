package main

import (
	"fmt"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/raft/tracker"
)

// outcome is one call into a node's RawNode (a tick, a message, a
// proposal) as seen from outside: the state before, the first Ready after,
// the state that Ready leaves (before it is handled), and what the
// derivation adds to it.
type outcome struct {
	n        *node
	before   nodeState
	after    nodeState
	progress map[uint64]tracker.Progress // the leader's, before the call
	rd       raft.Ready
	ready    bool
	// last is the state of the last state-change event written; after the
	// derivation its role and term must be those of after.
	last nodeState
	// grantVote is the vote a node held when it sent a granted MsgVoteResp:
	// etcd sends the response before it records the vote.
	grantVote uint64
	// selfVote and selfAck are the messages modern etcd sends a node
	// itself (v3.4 counts them inside the call): the candidate's vote and
	// the leader's acknowledgement of its own append.
	selfVote *pb.Message
	selfAck  *pb.Message
}

// observe runs call on n and collects its outcome.
func (c *cluster) observe(n *node, call func() error) (*outcome, error) {
	st := n.rn.Status()
	o := &outcome{n: n, before: c.state(n), progress: st.Progress}
	err := call()
	if n.rn.HasReady() {
		o.rd = n.rn.Ready()
		o.ready = true
	}
	o.after = c.stateWith(n, o.rd.Entries)
	o.last = o.before
	o.grantVote = o.before.vote
	return o, err
}

// change writes a state-change event.
func (c *cluster) change(o *outcome, name string, s nodeState) {
	c.tr.emit(s.event(name))
	o.last = s
}

// finish writes the Sends of the first Ready, handles it, writes what
// the node receives from itself, then handles the Readys that follow.
func (c *cluster) finish(o *outcome) {
	if o.last.role != o.after.role || o.last.term != o.after.term {
		panic(fmt.Sprintf("node %d: %s/%d -> %s/%d not explained (derived %s/%d)",
			o.n.id, o.before.role, o.before.term, o.after.role, o.after.term,
			o.last.role, o.last.term))
	}
	c.traceSends(o)
	if o.ready {
		c.handleReady(o.n, o.rd)
	}
	if o.n.running() {
		c.receiveSelf(o)
		c.drain(o.n)
	}
}

// traceSends writes a Send per message in Ready order, with the state
// after the call. The self-acknowledgement comes first (etcd sends it in
// appendEntry, before bcastAppend); the self-vote takes its place in the
// campaign's loop over the voters in id order.
func (c *cluster) traceSends(o *outcome) {
	if o.selfAck != nil {
		c.traceSend(o.n, o.after, *o.selfAck)
	}
	vote := o.selfVote
	for _, m := range o.rd.Messages {
		if vote != nil && m.To > o.n.id {
			c.traceSend(o.n, o.after, *vote)
			vote = nil
		}
		at := o.after
		if m.Type == pb.MsgVoteResp && !m.Reject {
			at.vote = o.grantVote
		}
		c.traceSend(o.n, at, m)
	}
	if vote != nil {
		c.traceSend(o.n, o.after, *vote)
	}
}

// receiveSelf writes, after the Ready that made them durable, the
// receipt of the node's messages to itself. The leader's acknowledgement
// is followed by Commit: etcd re-evaluates the commit index on it.
func (c *cluster) receiveSelf(o *outcome) {
	if o.selfVote != nil {
		ev := c.state(o.n).event("ReceiveRequestVoteResponse")
		ev.Message = traceMessage(*o.selfVote)
		c.tr.emit(ev)
	}
	if o.selfAck != nil {
		c.receiveSelfAck(o.n, *o.selfAck)
	}
}

// receiveSelfAck writes the leader's receipt of its acknowledgement of
// its own append, and the Commit that etcd traces on it.
func (c *cluster) receiveSelfAck(n *node, ack pb.Message) {
	now := c.state(n)
	ev := now.event("ReceiveAppendEntriesResponse")
	ev.Message = traceMessage(ack)
	c.tr.emit(ev)
	n.selfMatch = ack.Index
	if now.inConf() {
		c.tr.emit(now.event("Commit"))
	}
}

func selfMessage(id uint64, t pb.MessageType, term, index uint64) *pb.Message {
	return &pb.Message{Type: t, From: id, To: id, Term: term, Index: index}
}

// campaigned tells whether the call started a (pre-)campaign: with two
// voters or more a campaign always asks the others for their votes.
func campaigned(o *outcome) bool {
	for _, m := range o.rd.Messages {
		if m.Type == pb.MsgVote || m.Type == pb.MsgPreVote {
			return true
		}
	}
	return false
}

// traceCampaign writes BecomeCandidate (BecomePreCandidate, which etcd
// does not trace, for a pre-campaign) and queues the vote the node gives
// itself: a MsgVoteResp of its term, or a MsgPreVoteResp of the term it
// will campaign for, as etcd's campaign sends them.
func (c *cluster) traceCampaign(o *outcome) {
	a := o.after
	if a.role == raft.StatePreCandidate {
		c.change(o, "BecomePreCandidate", a)
		o.selfVote = selfMessage(a.id, pb.MsgPreVoteResp, a.term+1, 0)
		return
	}
	c.change(o, "BecomeCandidate", a)
	o.selfVote = selfMessage(a.id, pb.MsgVoteResp, a.term, 0)
}

// tick: a campaign, a leader stepping down under CheckQuorum, or
// heartbeats.
func (c *cluster) tick(n *node) {
	o, _ := c.observe(n, func() error { n.rn.Tick(); return nil })
	switch {
	case campaigned(o):
		c.traceCampaign(o)
	case o.before.role == raft.StateLeader && o.after.role == raft.StateFollower:
		c.change(o, "BecomeFollower", o.after)
	}
	c.finish(o)
}

// propose appends one entry at a leader: data, or a membership change if
// cc is set. It reports whether a conf change entry was appended.
func (c *cluster) propose(n *node, data []byte, cc pb.ConfChangeI) bool {
	o, err := c.observe(n, func() error {
		if cc != nil {
			return n.rn.ProposeConfChange(cc)
		}
		return n.rn.Propose(data)
	})
	if err != nil || !o.ready || o.after.log != o.before.log+1 {
		c.finish(o)
		return false
	}
	e := o.rd.Entries[len(o.rd.Entries)-1]
	accepted := e.Type == pb.EntryConfChange || e.Type == pb.EntryConfChangeV2
	if accepted {
		n.confBarrier = e.Index
		ev := o.before.event("ChangeConf")
		ev.Props = &traceProps{CC: &traceCC{Changes: traceChanges(cc.AsV2())}}
		c.tr.emit(ev)
	} else {
		// A refused conf change becomes an empty normal entry.
		c.tr.emit(o.before.event("Replicate"))
	}
	o.selfAck = selfMessage(n.id, pb.MsgAppResp, o.after.term, o.after.log)
	c.finish(o)
	return accepted
}

// traceChanges lists a conf change's single changes, in its order.
func traceChanges(cc pb.ConfChangeV2) []traceChange {
	out := make([]traceChange, len(cc.Changes))
	for i, ch := range cc.Changes {
		out[i] = traceChange{NodeID: formatID(ch.NodeID), Action: actionName(ch.Type)}
	}
	return out
}

func actionName(t pb.ConfChangeType) string {
	switch t {
	case pb.ConfChangeAddNode:
		return "AddNewServer"
	case pb.ConfChangeRemoveNode:
		return "RemoveServer"
	case pb.ConfChangeAddLearnerNode:
		return "AddLearner"
	}
	panic(fmt.Sprintf("no trace action for %s", t))
}
