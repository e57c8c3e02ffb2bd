package main

import (
	"fmt"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// Joint consensus (--joint): a ConfChangeV2 of several changes with
// ConfChangeTransitionAuto makes v3.4 enter a joint configuration that
// the leader leaves by itself. When a leader's Advance finds it has
// applied its pendingConfIndex while its configuration is joint with
// AutoLeave, raft.advance appends an empty ConfChangeV2 (appendEntry:
// its own Match raised, maybeCommit, no messages). Modern etcd proposes
// the same entry through Step (appliedTo), and traces no ChangeConf for
// it (no changes) and no Replicate (not a normal entry): the append shows
// only in the log length, the self-acknowledgement and the MsgApps that
// carry it.

// noteLeave finds the leave a leader appended in the Advance of rd: its
// own Match, which appendEntry raises, passes the last stored index. The
// entry is in the node's next Ready (see leaveJoint). The leader will
// refuse conf changes until it has applied it, as confBarrier says.
func (c *cluster) noteLeave(n *node, rd raft.Ready) {
	cs := n.disk.conf
	if len(rd.CommittedEntries) == 0 || len(cs.VotersOutgoing) == 0 || !cs.AutoLeave {
		return
	}
	st := n.rn.Status()
	pr, ok := st.Progress[n.id]
	last, err := n.disk.LastIndex()
	if err != nil {
		panic(err)
	}
	if st.RaftState != raft.StateLeader || !ok || pr.Match <= last {
		return
	}
	if pr.Match != last+1 {
		panic(fmt.Sprintf("node %d appended %d entries in Advance", n.id, pr.Match-last))
	}
	n.leave, n.confBarrier = pr.Match, pr.Match
	c.stats.leaves++
}

// leaveJoint prepares the Sends of the Ready that carries a leave
// appended in the last Advance: its messages were produced before it (by
// applying the joint configuration), so they show the log without it;
// then comes the leader's acknowledgement of the leave, with the state
// now, as for any append. It returns the state for the messages and the
// acknowledgement (nil when there is no leave).
func (c *cluster) leaveJoint(n *node, now nodeState) (nodeState, *pb.Message) {
	if n.leave == 0 {
		return now, nil
	}
	if now.log != n.leave {
		panic(fmt.Sprintf("node %d: leave at %d, log ends at %d", n.id, n.leave, now.log))
	}
	at := now
	at.log = n.leave - 1
	ack := selfMessage(n.id, pb.MsgAppResp, now.term, n.leave)
	n.leave = 0
	return at, ack
}

// appliedV2 counts the joint configurations entered and left (once per
// entry: conf entries are applied in log order, so the first node to
// apply one has not seen a later one applied anywhere) and stops the
// nodes the change took out of the configuration: the removed voters
// stay in it, as outgoing voters, until the joint configuration is left.
func (c *cluster) appliedV2(cc pb.ConfChangeV2, index uint64, before, after pb.ConfState) {
	if index > c.stats.lastConfIndex {
		c.stats.lastConfIndex = index
		if cc.LeaveJoint() {
			c.stats.left++
		} else if _, joint := cc.EnterJoint(); joint {
			c.stats.entered++
		}
	}
	kept := members(after)
	for _, id := range sortedMembers(before) {
		if !kept[id] {
			c.remove(id)
		}
	}
}

func members(cs pb.ConfState) map[uint64]bool {
	out := map[uint64]bool{}
	for _, ids := range [][]uint64{cs.Voters, cs.VotersOutgoing, cs.Learners, cs.LearnersNext} {
		for _, id := range ids {
			out[id] = true
		}
	}
	return out
}

// sortedMembers lists a configuration's members in id order.
func sortedMembers(cs pb.ConfState) []uint64 {
	in := members(cs)
	var out []uint64
	for id := uint64(1); len(out) < len(in); id++ {
		if in[id] {
			out = append(out, id)
		}
	}
	return out
}

// jointChange replaces one follower, or two on a coin flip when there
// are two, by new nodes at once: the number of voters stays the same.
// It returns the change and the ids of the nodes it adds.
func (d *driver) jointChange(followers []uint64) (pb.ConfChangeV2, []uint64) {
	k := 1
	if len(followers) >= 2 && d.rng.Intn(2) == 0 {
		k = 2
	}
	cc := pb.ConfChangeV2{Transition: pb.ConfChangeTransitionAuto}
	var added []uint64
	next := uint64(len(d.c.nodes) + 1)
	for i := 0; i < k; i++ {
		added = append(added, next+uint64(i))
		cc.Changes = append(cc.Changes,
			pb.ConfChangeSingle{Type: pb.ConfChangeAddNode, NodeID: next + uint64(i)})
	}
	perm := d.rng.Perm(len(followers))
	for _, i := range perm[:k] {
		cc.Changes = append(cc.Changes,
			pb.ConfChangeSingle{Type: pb.ConfChangeRemoveNode, NodeID: followers[i]})
	}
	return cc, added
}

// proposers are the leaders a value may be proposed at. With --joint, not
// at a leader that may have a conf change to apply (it has not applied
// its confBarrier) or whose configuration is joint: v3.4 does not bump
// pendingConfIndex when it appends its leave, so a leader that applies
// entries behind its leave appends a second one, and applying that
// panics (etcd-io/etcd#12582; modern etcd proposes the leave through
// Step, which bumps it). With no entries behind the joint one, the leave
// comes right after the entries applied with it, and nothing else is
// applied before it.
func (d *driver) proposers(leaders []*node) []*node {
	if !d.c.opts.joint {
		return leaders
	}
	var out []*node
	for _, n := range leaders {
		st := n.rn.Status()
		if st.Applied >= n.confBarrier && len(st.Config.Voters[1]) == 0 {
			out = append(out, n)
		}
	}
	return out
}
