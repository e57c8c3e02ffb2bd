// The datacenter link graph: datacenters are its vertices, the
// deployment's links its edges. Nodes in one connected component can
// reach each other, directly or through the datacenters between them.
#pragma once

#include <vector>

#include "impl/placement/deployment.h"

namespace crosscheck::spec::placement {

using impl::placement::DatacenterIndex;
using impl::placement::Deployment;

// The connected components (Boost.Graph's connected_components) once the
// datacenters in `removed` are taken out with their links, and every link
// between datacenters of two different groups of `cut_between` is cut.
// Each component lists its datacenters in increasing order; components are
// ordered by their first datacenter; removed datacenters are in none.
std::vector<std::vector<DatacenterIndex>> link_components(
    const Deployment& deployment, const std::vector<std::vector<DatacenterIndex>>& cut_between = {},
    const std::vector<DatacenterIndex>& removed = {});

}  // namespace crosscheck::spec::placement
