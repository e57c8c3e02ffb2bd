package main

import (
	"math/rand"
	"sync"
	"unsafe"

	// raft must be linked in for the variable below to resolve.
	_ "go.etcd.io/etcd/raft"
)

// raft v3.4 draws every randomized election timeout from a package-level
// source seeded from the clock at init:
//
//	var globalRand = &lockedRand{rand: rand.New(rand.NewSource(time.Now().UnixNano()))}
//
// go:linkname binds raftGlobalRand to that unexported variable (hence the
// import of unsafe). It is declared as a bare pointer, not *lockedRand:
// the linker cannot describe a type of this package for a symbol defined
// in raft (its DWARF relocation fails). seedRaft casts it to a struct of
// the same layout, a mutex and the *rand.Rand, and swaps the source for
// one seeded from --seed, before any node exists. Nothing else in raft is
// random (it visits progress maps in id order), so with the driver's own
// seeded source a run is a function of its flags.
//
//go:linkname raftGlobalRand go.etcd.io/etcd/raft.globalRand
var raftGlobalRand unsafe.Pointer

// lockedRand mirrors raft's lockedRand field for field.
type lockedRand struct {
	mu   sync.Mutex
	rand *rand.Rand
}

func seedRaft(seed int64) {
	r := (*lockedRand)(raftGlobalRand)
	r.mu.Lock()
	r.rand = rand.New(rand.NewSource(seed))
	r.mu.Unlock()
}
