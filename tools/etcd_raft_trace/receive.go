package main

import (
	"fmt"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/raft/tracker"
)

// receive steps a message at n. etcd traces the receipt at the top of
// raft.Step, with the state before; RawNode.Step drops a response from a
// node without progress before that, untraced.
func (c *cluster) receive(n *node, m pb.Message) {
	o, err := c.observe(n, func() error { return n.rn.Step(m) })
	if err == raft.ErrStepPeerNotFound {
		c.stats.ignored++
		c.finish(o)
		return
	}
	if err != nil {
		panic(fmt.Sprintf("node %d stepping %s: %v", n.id, m.Type, err))
	}
	if name := receiveName(m.Type); name != "" {
		ev := o.before.event(name)
		ev.Message = traceMessage(m)
		c.tr.emit(ev)
	}
	mid := c.termBump(o, m)
	switch {
	case isAppend(m.Type) && m.Term == mid.term && isCandidate(mid.role):
		// A candidate hears from the leader of its term.
		back := mid
		back.role = raft.StateFollower
		c.change(o, "BecomeFollower", back)
	case isCandidate(mid.role) && m.Type == voteRespType(mid.role) && m.Term >= mid.term:
		c.tally(o, mid)
	case m.Type == pb.MsgAppResp && mid.role == raft.StateLeader && m.Term == mid.term:
		if evaluatesCommit(o.progress, m) {
			c.tr.emit(o.after.event("Commit"))
		}
	}
	c.finish(o)
}

// termBump writes BecomeFollower when the message's higher term makes
// the node a follower of that term (vote cleared, log and commit as
// before), and returns the state the rest of the step starts from. A
// pre-vote, a granted pre-vote response and a vote ignored under the
// leader lease (CheckQuorum) leave the term alone.
func (c *cluster) termBump(o *outcome, m pb.Message) nodeState {
	b := o.before
	if m.Term <= b.term || m.Type == pb.MsgPreVote {
		return b
	}
	if m.Type == pb.MsgPreVoteResp && !m.Reject {
		return b
	}
	if m.Type == pb.MsgVote && o.after.term == b.term {
		return b
	}
	mid := b
	mid.term, mid.vote, mid.role = m.Term, 0, raft.StateFollower
	c.change(o, "BecomeFollower", mid)
	o.grantVote = 0
	return mid
}

// tally follows a (pre-)candidate counting a vote: it wins (a
// pre-candidate then campaigns, a candidate becomes leader and appends its
// empty entry), loses (back to follower), or waits.
func (c *cluster) tally(o *outcome, mid nodeState) {
	a := o.after
	switch {
	case a.role == raft.StateLeader:
		if a.log != mid.log+1 {
			panic(fmt.Sprintf("node %d became leader appending %d entries",
				a.id, a.log-mid.log))
		}
		// etcd traces BecomeLeader and the empty entry's Replicate before
		// appending it.
		lead := mid
		lead.role = raft.StateLeader
		c.change(o, "BecomeLeader", lead)
		c.tr.emit(lead.event("Replicate"))
		o.n.selfMatch, o.n.confBarrier = mid.log, mid.log
		o.selfAck = selfMessage(a.id, pb.MsgAppResp, a.term, a.log)
	case a.role == raft.StateCandidate && mid.role == raft.StatePreCandidate:
		c.traceCampaign(o)
	case a.role == raft.StateFollower:
		c.change(o, "BecomeFollower", a)
	}
}

// evaluatesCommit tells whether modern etcd's leader would call
// maybeCommit, and so trace Commit, on this MsgAppResp: an accepted one
// that raises the follower's Match, or confirms it while probing.
func evaluatesCommit(progress map[uint64]tracker.Progress, m pb.Message) bool {
	pr, ok := progress[m.From]
	if !ok || m.Reject {
		return false
	}
	return pr.Match < m.Index || (pr.Match == m.Index && pr.State == tracker.StateProbe)
}

func isAppend(t pb.MessageType) bool {
	return t == pb.MsgApp || t == pb.MsgHeartbeat || t == pb.MsgSnap
}

func isCandidate(r raft.StateType) bool {
	return r == raft.StateCandidate || r == raft.StatePreCandidate
}

func voteRespType(r raft.StateType) pb.MessageType {
	if r == raft.StatePreCandidate {
		return pb.MsgPreVoteResp
	}
	return pb.MsgVoteResp
}
