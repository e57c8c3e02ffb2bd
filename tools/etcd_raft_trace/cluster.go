package main

import (
	"fmt"
	"io"
	"log"
	"math"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// disk is a node's stable storage: the MemoryStorage raft reads its log
// and HardState from, plus what the application persists beside them at
// each Ready: the index it has applied and the configuration that results.
// A restart reads the configuration from InitialState, as etcd's server
// reads it from its snapshot; logs are never compacted, so the storage
// needs no snapshot.
type disk struct {
	*raft.MemoryStorage
	conf    pb.ConfState
	applied uint64
}

func (d *disk) InitialState() (pb.HardState, pb.ConfState, error) {
	hs, _, err := d.MemoryStorage.InitialState()
	return hs, d.conf, err
}

// node is one member: its RawNode while it runs (nil while crashed) and
// its disk, which survives crashes.
type node struct {
	id      uint64
	disk    *disk
	rn      *raft.RawNode
	removed bool // stopped for good once its removal was applied
	// selfMatch is the leader's own Match as modern etcd sees it: the
	// last index it has acknowledged to itself (see receiveSelf).
	selfMatch uint64
	// confBarrier mirrors v3.4's pendingConfIndex: a leader refuses a conf
	// change until it has applied this index, its last index when elected
	// or that of its last conf change (its automatic leave included).
	confBarrier uint64
	// leave is the index of the entry leaving a joint configuration that
	// the leader appended by itself in its last Advance, until the Ready
	// that stores it is handled (see leaveJoint); 0 if none.
	leave uint64
}

func (n *node) running() bool { return n.rn != nil && !n.removed }

type options struct {
	seed        int64
	steps       int
	nodes       int
	preVote     bool
	checkQuorum bool
	joint       bool
}

type stats struct {
	drops, lost, ignored    int
	crashes, restarts       int
	adds, removes, refusals int
	proposals, maxTerm      uint64
	appliedChanges          int
	// Joint consensus: changes proposed, joint configurations entered and
	// left (counted once per entry, at the first node to apply it), and
	// the leaves leaders appended by themselves.
	joints, entered, left, leaves int
	lastConfIndex                 uint64 // the highest conf entry applied anywhere
}

type cluster struct {
	opts   options
	nodes  []*node // by id: nodes[i].id == i+1
	net    []pb.Message
	tr     *tracer
	stats  stats
	logger raft.Logger
}

func newCluster(opts options, tr *tracer) *cluster {
	quiet := &raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}
	return &cluster{opts: opts, tr: tr, logger: quiet}
}

func (c *cluster) node(id uint64) *node {
	if id == 0 || id > uint64(len(c.nodes)) {
		return nil
	}
	return c.nodes[id-1]
}

// config is the same for every node. HeartbeatTick 3 and ElectionTick 10
// keep heartbeats from flooding the network. A MsgApp carries every entry
// from the follower's Next to the end of the leader's log: etcd sends its
// whole commit index, and etcdraft.tla's MsgApp carries
// min(commit, its last entry), so a size-limited MsgApp behind the commit
// index would differ from the model's. Every committed entry is handed
// over in one Ready.
func (c *cluster) config(id uint64, d *disk) *raft.Config {
	return &raft.Config{
		ID:                       id,
		ElectionTick:             10,
		HeartbeatTick:            3,
		Storage:                  d,
		Applied:                  d.applied,
		MaxSizePerMsg:            math.MaxUint64,
		MaxCommittedSizePerReady: 1 << 30,
		MaxInflightMsgs:          16,
		CheckQuorum:              c.opts.checkQuorum,
		PreVote:                  c.opts.preVote,
		Logger:                   c.logger,
	}
}

func (c *cluster) start(id uint64) *node {
	d := &disk{MemoryStorage: raft.NewMemoryStorage()}
	rn, err := raft.NewRawNode(c.config(id, d))
	if err != nil {
		panic(err)
	}
	n := &node{id: id, disk: d, rn: rn}
	c.nodes = append(c.nodes, n)
	if len(c.nodes) != int(id) {
		panic(fmt.Sprintf("node %d created out of order", id))
	}
	return n
}

// bootstrap starts nodes 1..N with peers 1..N: each writes N ConfChange
// entries of term 1, committed, and applies them. That first Ready is
// handled without events; each node's InitState then shows the result.
func (c *cluster) bootstrap() {
	peers := make([]raft.Peer, c.opts.nodes)
	for i := range peers {
		peers[i] = raft.Peer{ID: uint64(i + 1)}
	}
	for i := range peers {
		n := c.start(uint64(i + 1))
		if err := n.rn.Bootstrap(peers); err != nil {
			panic(err)
		}
		for n.rn.HasReady() {
			rd := n.rn.Ready()
			if len(rd.Messages) > 0 {
				panic("bootstrap sent messages")
			}
			c.persist(n, rd)
			for _, e := range rd.CommittedEntries {
				if cc := confChange(e); cc != nil {
					n.disk.conf = *n.rn.ApplyConfChange(cc)
				}
			}
			c.advance(n, rd)
		}
	}
	for _, n := range c.nodes {
		c.tr.emit(c.state(n).event("InitState"))
	}
}

// addNode starts a node with empty storage and no peers: it learns the
// log, configuration included, from the leader's MsgApp probes.
func (c *cluster) addNode() *node {
	n := c.start(uint64(len(c.nodes) + 1))
	c.tr.emit(c.state(n).event("InitState"))
	return n
}

func (c *cluster) crash(n *node) {
	n.rn = nil
	c.stats.crashes++
}

// restart builds a new RawNode on the node's disk (no peers): HardState
// and log from the MemoryStorage, configuration and applied index from
// what the last Ready persisted.
func (c *cluster) restart(n *node) {
	rn, err := raft.NewRawNode(c.config(n.id, n.disk))
	if err != nil {
		panic(err)
	}
	n.rn = rn
	c.stats.restarts++
	c.tr.emit(c.state(n).event("InitState"))
	c.drain(n)
}

// state reads a node whose Readys are all handled: its log is all on disk.
func (c *cluster) state(n *node) nodeState { return c.stateWith(n, nil) }

// stateWith reads a node whose unhandled Ready carries ents: the log ends
// with them (an append that overwrote a suffix ends at its last entry).
func (c *cluster) stateWith(n *node, ents []pb.Entry) nodeState {
	st := n.rn.Status()
	last, err := n.disk.LastIndex()
	if err != nil {
		panic(err)
	}
	if len(ents) > 0 {
		last = ents[len(ents)-1].Index
	}
	if st.Term > c.stats.maxTerm {
		c.stats.maxTerm = st.Term
	}
	return nodeState{
		id:     n.id,
		term:   st.Term,
		vote:   st.Vote,
		commit: st.Commit,
		log:    last,
		role:   st.RaftState,
		conf:   [2][]uint64{st.Config.Voters[0].Slice(), st.Config.Voters[1].Slice()},
	}
}

func (c *cluster) persist(n *node, rd raft.Ready) {
	if !raft.IsEmptyHardState(rd.HardState) {
		if err := n.disk.SetHardState(rd.HardState); err != nil {
			panic(err)
		}
	}
	if err := n.disk.Append(rd.Entries); err != nil {
		panic(err)
	}
}

func (c *cluster) advance(n *node, rd raft.Ready) {
	n.rn.Advance(rd)
	if k := len(rd.CommittedEntries); k > 0 {
		n.disk.applied = rd.CommittedEntries[k-1].Index
	}
}

// handleReady persists a Ready, applies its committed entries, advances,
// writes the Ready event and only then puts its messages on the network:
// a message is in flight from its sender's Ready on.
func (c *cluster) handleReady(n *node, rd raft.Ready) {
	c.persist(n, rd)
	for _, e := range rd.CommittedEntries {
		if cc := confChange(e); cc != nil {
			c.applyConfChange(n, cc, e.Index)
		}
	}
	c.advance(n, rd)
	c.noteLeave(n, rd)
	c.tr.emit(c.state(n).event("Ready"))
	for _, m := range rd.Messages {
		if m.To == n.id {
			panic(fmt.Sprintf("node %d sent %s to itself", n.id, m.Type))
		}
		c.net = append(c.net, m)
	}
}

// drain handles the Readys that follow the first one of an action: the
// messages a conf change's application produced, and its HardState. They
// are sent with the state the node has now, the one it had when etcd
// would have traced their sending; but for a leave the leader appended
// in its Advance, which came after them (see leaveJoint).
func (c *cluster) drain(n *node) {
	for n.running() && n.rn.HasReady() {
		rd := n.rn.Ready()
		now := c.stateWith(n, rd.Entries)
		at, ack := c.leaveJoint(n, now)
		for _, m := range rd.Messages {
			c.traceSend(n, at, m)
		}
		if ack != nil {
			c.traceSend(n, now, *ack)
		}
		c.handleReady(n, rd)
		if ack != nil && n.running() {
			c.receiveSelfAck(n, *ack)
		}
	}
}

// applyConfChange writes ApplyConfChange with the configuration before
// the change (both halves while joint) and, as prop.cc.newconf, the
// incoming voters after (etcd traces at the start of switchToConfig). A
// leader that stays in the configuration then re-evaluates its commit
// index (switchToConfig calls maybeCommit), which etcd traces as Commit.
func (c *cluster) applyConfChange(n *node, cc pb.ConfChangeI, index uint64) {
	ev := c.state(n).event("ApplyConfChange")
	before := n.disk.conf
	cs := n.rn.ApplyConfChange(cc)
	n.disk.conf = *cs
	ev.Props = &traceProps{CC: &traceCC{NewConf: formatIDs(cs.Voters)}}
	c.tr.emit(ev)
	c.stats.appliedChanges++
	after := c.state(n)
	if after.role == raft.StateLeader && after.inConf() && len(cs.Voters) > 0 {
		c.tr.emit(after.event("Commit"))
	}
	if v1, ok := cc.(pb.ConfChange); ok {
		if v1.Type == pb.ConfChangeRemoveNode {
			c.remove(v1.NodeID)
		}
		return
	}
	c.appliedV2(cc.AsV2(), index, before, *cs)
}

// remove stops a node once a node has applied its removal.
func (c *cluster) remove(id uint64) {
	if gone := c.node(id); gone != nil && !gone.removed {
		gone.removed = true
		c.stats.removes++
	}
}

// confChange decodes a conf entry, or returns nil for a normal entry.
func confChange(e pb.Entry) pb.ConfChangeI {
	switch e.Type {
	case pb.EntryConfChange:
		var cc pb.ConfChange
		if err := cc.Unmarshal(e.Data); err != nil {
			panic(err)
		}
		return cc
	case pb.EntryConfChangeV2:
		var cc pb.ConfChangeV2
		if err := cc.Unmarshal(e.Data); err != nil {
			panic(err)
		}
		return cc
	}
	return nil
}

// traceSend writes the Send event of one message of a Ready. A MsgApp
// carries, as etcd's does, the leader's own Match and Next.
func (c *cluster) traceSend(n *node, at nodeState, m pb.Message) {
	name := sendName(m.Type)
	if name == "" {
		return
	}
	ev := at.event(name)
	ev.Message = traceMessage(m)
	if m.Type == pb.MsgApp && at.inConf() {
		match, next := n.selfMatch, n.selfMatch+1
		ev.Props = &traceProps{Match: &match, Next: &next}
	}
	c.tr.emit(ev)
}

// deliverAt takes message i off the network and steps it at its
// destination; a message to a crashed or removed node is lost.
func (c *cluster) deliverAt(i int) {
	m := c.net[i]
	c.net = append(c.net[:i], c.net[i+1:]...)
	n := c.node(m.To)
	if n == nil || !n.running() {
		c.stats.lost++
		return
	}
	c.receive(n, m)
}

func (c *cluster) dropAt(i int) {
	c.net = append(c.net[:i], c.net[i+1:]...)
	c.stats.drops++
}
