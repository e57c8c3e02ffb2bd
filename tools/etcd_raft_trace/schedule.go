package main

import (
	"fmt"
	"math/rand"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// maxConfChanges bounds the membership changes of one run.
const maxConfChanges = 4

// driver picks the cluster's next action from a seeded source.
type driver struct {
	c       *cluster
	rng     *rand.Rand
	step    int
	values  int
	changes int // conf change entries appended
}

type choice struct {
	weight int
	do     func()
}

func (d *driver) run() {
	for d.step = 0; d.step < d.c.opts.steps; d.step++ {
		d.act()
	}
}

// act draws one action. The weights keep the run live (deliveries
// outpace what ticks and proposals put on the network; at most a minority
// is down), and an action a run still lacks (a drop, a crash, a membership
// change) becomes near certain once a quarter (a third) of the run has
// passed.
func (d *driver) act() {
	var choices []choice
	add := func(w int, do func()) {
		if w > 0 {
			choices = append(choices, choice{w, do})
		}
	}
	c := d.c
	late := d.step >= c.opts.steps/4
	pick := func(k int) int { return d.rng.Intn(k) }
	if k := len(c.net); k > 0 {
		add(20+8*min(k, 25), func() { c.deliverAt(pick(len(c.net))) })
		add(boost(3, late && c.stats.drops == 0), func() { c.dropAt(pick(len(c.net))) })
	}
	live := d.running()
	add(40, func() { c.tick(live[pick(len(live))]) })
	leaders := d.leaders(live)
	if proposers := d.proposers(leaders); len(proposers) > 0 {
		add(10, func() { d.proposeValue(proposers) })
	}
	if d.canCrash(live) {
		noCrash := late && c.stats.crashes == 0
		add(boost(1, noCrash), func() { c.crash(d.victim(live, leaders)) })
	}
	if down := d.down(); len(down) > 0 {
		add(6, func() { c.restart(down[pick(len(down))]) })
	}
	if lead := d.changer(leaders); lead != nil {
		noChange := d.step >= c.opts.steps/3 && d.changes == 0
		add(boost(2, noChange), func() { d.changeConf(lead) })
	}
	total := 0
	for _, ch := range choices {
		total += ch.weight
	}
	r := d.rng.Intn(total)
	for _, ch := range choices {
		if r < ch.weight {
			ch.do()
			return
		}
		r -= ch.weight
	}
}

func boost(w int, needed bool) int {
	if needed {
		return 1000
	}
	return w
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// running lists the nodes the driver acts on, in id order.
func (d *driver) running() []*node {
	var out []*node
	for _, n := range d.c.nodes {
		if n.running() {
			out = append(out, n)
		}
	}
	return out
}

func (d *driver) down() []*node {
	var out []*node
	for _, n := range d.c.nodes {
		if n.rn == nil && !n.removed {
			out = append(out, n)
		}
	}
	return out
}

// canCrash keeps a majority of the members that are not removed up.
func (d *driver) canCrash(live []*node) bool {
	down := len(d.down())
	return down < (len(live)+down-1)/2
}

// victim is a leader half the time, so that every run sees elections.
func (d *driver) victim(live, leaders []*node) *node {
	if len(leaders) > 0 && d.rng.Intn(2) == 0 {
		return leaders[d.rng.Intn(len(leaders))]
	}
	return live[d.rng.Intn(len(live))]
}

func (d *driver) leaders(live []*node) []*node {
	var out []*node
	for _, n := range live {
		if n.rn.Status().RaftState == raft.StateLeader {
			out = append(out, n)
		}
	}
	return out
}

func (d *driver) proposeValue(leaders []*node) {
	n := leaders[d.rng.Intn(len(leaders))]
	d.values++
	if d.c.propose(n, []byte(fmt.Sprintf("v%d", d.values)), nil) {
		panic("a value became a conf change")
	}
	d.c.stats.proposals++
}

// changer is a leader that v3.4 lets propose a conf change (it has
// applied its confBarrier and its configuration is not joint), or nil.
func (d *driver) changer(leaders []*node) *node {
	if d.changes >= maxConfChanges || d.step < d.c.opts.steps/8 {
		return nil
	}
	for _, n := range leaders {
		st := n.rn.Status()
		if st.Applied >= n.confBarrier && len(st.Config.Voters[1]) == 0 {
			return n
		}
	}
	return nil
}

// changeConf adds a new node while the configuration has no more voters
// than the cluster started with (or on a coin flip), and otherwise
// removes a random follower, never going below three voters. With
// --joint, the first change of the run and then one in two are joint
// (see jointChange).
func (d *driver) changeConf(lead *node) {
	voters := lead.rn.Status().Config.Voters[0].Slice()
	var followers []uint64
	for _, id := range voters {
		if id != lead.id {
			followers = append(followers, id)
		}
	}
	var cc pb.ConfChangeI
	var added []uint64
	joint := d.c.opts.joint && (d.changes == 0 || d.rng.Intn(2) == 0)
	if joint {
		cc, added = d.jointChange(followers)
	} else {
		next := uint64(len(d.c.nodes) + 1)
		cc, added = pb.ConfChange{Type: pb.ConfChangeAddNode, NodeID: next}, []uint64{next}
		if len(voters) > 3 && (len(voters) > d.c.opts.nodes || d.rng.Intn(2) == 0) {
			victim := followers[d.rng.Intn(len(followers))]
			cc, added = pb.ConfChange{Type: pb.ConfChangeRemoveNode, NodeID: victim}, nil
		}
	}
	if !d.c.propose(lead, nil, cc) {
		d.c.stats.refusals++
		return
	}
	d.changes++
	if joint {
		d.c.stats.joints++
	}
	for range added {
		d.c.addNode()
		d.c.stats.adds++
	}
}
