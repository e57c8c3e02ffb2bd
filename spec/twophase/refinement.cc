#include "spec/twophase/refinement.h"

namespace crosscheck::spec::twophase {

using impl2pc::RmStatus;
using tcommit::RmState;

// The implementation's RM statuses and TCommit's rmState values line up one
// to one, so the refinement map is a cast.
static_assert(static_cast<int>(RmStatus::kWorking) == static_cast<int>(RmState::kWorking));
static_assert(static_cast<int>(RmStatus::kPrepared) == static_cast<int>(RmState::kPrepared));
static_assert(static_cast<int>(RmStatus::kCommitted) == static_cast<int>(RmState::kCommitted));
static_assert(static_cast<int>(RmStatus::kAborted) == static_cast<int>(RmState::kAborted));

RmState rm_state(const impl2pc::ResourceManager& rm) { return static_cast<RmState>(rm.status()); }

}  // namespace crosscheck::spec::twophase
