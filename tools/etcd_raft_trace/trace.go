package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// The JSON shapes of etcd-io/raft's state trace (state_trace.go there),
// with the fields in the same order, so that a line written here reads as
// one written by the library's own TraceLogger.

type traceState struct {
	Term   uint64 `json:"term"`
	Vote   string `json:"vote"`
	Commit uint64 `json:"commit"`
}

type traceMsg struct {
	Type        string `json:"type"`
	Term        uint64 `json:"term"`
	From        string `json:"from"`
	To          string `json:"to"`
	EntryLength int    `json:"entries"`
	LogTerm     uint64 `json:"logTerm"`
	Index       uint64 `json:"index"`
	Commit      uint64 `json:"commit"`
	Vote        string `json:"vote"`
	Reject      bool   `json:"reject"`
	RejectHint  uint64 `json:"rejectHint"`
}

type traceChange struct {
	NodeID string `json:"nid"`
	Action string `json:"action"`
}

type traceCC struct {
	Changes []traceChange `json:"changes,omitempty"`
	NewConf []string      `json:"newconf,omitempty"`
}

// traceProps is etcd's "prop" map; encoding/json writes a map's keys
// sorted, hence this order.
type traceProps struct {
	CC    *traceCC `json:"cc,omitempty"`
	Match *uint64  `json:"match,omitempty"`
	Next  *uint64  `json:"next,omitempty"`
}

type traceEvent struct {
	Name    string      `json:"name"`
	NodeID  string      `json:"nid"`
	State   traceState  `json:"state"`
	Role    string      `json:"role"`
	LogSize uint64      `json:"log"`
	Conf    [2][]string `json:"conf"`
	Message *traceMsg   `json:"msg,omitempty"`
	Props   *traceProps `json:"prop,omitempty"`
}

type traceLine struct {
	Tag   string      `json:"tag"`
	Event *traceEvent `json:"event"`
}

// nodeState is what a trace event shows of a node.
type nodeState struct {
	id     uint64
	term   uint64
	vote   uint64
	commit uint64
	log    uint64
	role   raft.StateType
	conf   [2][]uint64
}

func (s nodeState) event(name string) *traceEvent {
	return &traceEvent{
		Name:   name,
		NodeID: formatID(s.id),
		State: traceState{
			Term:   s.term,
			Vote:   formatID(s.vote),
			Commit: s.commit,
		},
		Role:    s.role.String(),
		LogSize: s.log,
		Conf:    [2][]string{formatIDs(s.conf[0]), formatIDs(s.conf[1])},
	}
}

// inConf tells whether the node is a voter of its own configuration.
func (s nodeState) inConf() bool {
	for _, half := range s.conf {
		for _, id := range half {
			if id == s.id {
				return true
			}
		}
	}
	return false
}

func formatID(id uint64) string { return strconv.FormatUint(id, 10) }

// formatIDs never returns nil: etcd writes an empty half as [].
func formatIDs(ids []uint64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = formatID(id)
	}
	return out
}

func traceMessage(m pb.Message) *traceMsg {
	return &traceMsg{
		Type:        m.Type.String(),
		Term:        m.Term,
		From:        formatID(m.From),
		To:          formatID(m.To),
		EntryLength: len(m.Entries),
		LogTerm:     m.LogTerm,
		Index:       m.Index,
		Commit:      m.Commit,
		Vote:        "0", // v3.4's Message has no Vote field
		Reject:      m.Reject,
		RejectHint:  m.RejectHint,
	}
}

// sendName and receiveName map a message type to etcd's event name; ""
// for the types etcd does not trace. Pre-votes are traced as votes (etcd
// leaves them out; the validator here follows them).
func sendName(t pb.MessageType) string { return prefixed("Send", t) }

func receiveName(t pb.MessageType) string { return prefixed("Receive", t) }

// prefixed is the event for a message of type t after "Send" or "Receive",
// or "" for the types etcd does not trace.
func prefixed(prefix string, t pb.MessageType) string {
	switch t {
	case pb.MsgApp, pb.MsgHeartbeat, pb.MsgSnap:
		return prefix + "AppendEntriesRequest"
	case pb.MsgAppResp, pb.MsgHeartbeatResp:
		return prefix + "AppendEntriesResponse"
	case pb.MsgVote, pb.MsgPreVote:
		return prefix + "RequestVoteRequest"
	case pb.MsgVoteResp, pb.MsgPreVoteResp:
		return prefix + "RequestVoteResponse"
	}
	return ""
}

// tracer writes one JSON line per event and counts them by name.
type tracer struct {
	out    *bufio.Writer
	enc    *json.Encoder
	counts map[string]int
	total  int
	err    error
}

func newTracer(w io.Writer) *tracer {
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return &tracer{out: out, enc: enc, counts: map[string]int{}}
}

func (t *tracer) emit(ev *traceEvent) {
	t.counts[ev.Name]++
	t.total++
	if t.err == nil {
		t.err = t.enc.Encode(traceLine{Tag: "trace", Event: ev})
	}
}

func (t *tracer) flush() error {
	if t.err != nil {
		return t.err
	}
	return t.out.Flush()
}

// byKind is "Name=count ..." in name order.
func (t *tracer) byKind() string {
	names := make([]string, 0, len(t.counts))
	for name := range t.counts {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s=%d", name, t.counts[name])
	}
	return strings.Join(parts, " ")
}
