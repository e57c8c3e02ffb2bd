// Reads a deployment file (JSON; the format is in docs/placement.md).
//
// A bad file gets one error that names its place: a syntax error by line
// and column, anything else by the JSON path of the value at fault, such
// as `datacenters[1].nodes[0]: node "a1" is already in datacenter "east"
// (datacenters[0].nodes[0])`. Unknown fields and repeated member names are
// errors, not ignored, so that a misspelt field cannot silently fall back
// to a default.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "impl/placement/deployment.h"

namespace crosscheck::spec::placement {

// On failure returns nullopt and sets *error.
std::optional<impl::placement::Deployment> read_deployment(std::string_view text,
                                                           std::string* error);

}  // namespace crosscheck::spec::placement
