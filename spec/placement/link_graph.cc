#include "spec/placement/link_graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

namespace crosscheck::spec::placement {

std::vector<std::vector<DatacenterIndex>> link_components(
    const Deployment& deployment, const std::vector<std::vector<DatacenterIndex>>& cut_between,
    const std::vector<DatacenterIndex>& removed) {
  const size_t datacenters = deployment.datacenters.size();
  std::vector<int> group_of(datacenters, -1);
  for (size_t group = 0; group < cut_between.size(); ++group) {
    for (DatacenterIndex datacenter : cut_between[group])
      group_of[datacenter] = static_cast<int>(group);
  }
  std::vector<bool> is_removed(datacenters, false);
  for (DatacenterIndex datacenter : removed) is_removed[datacenter] = true;
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> graph(datacenters);
  for (const auto& [a, b] : deployment.links) {
    const bool cut = group_of[a] >= 0 && group_of[b] >= 0 && group_of[a] != group_of[b];
    if (!cut && !is_removed[a] && !is_removed[b])
      boost::add_edge(static_cast<size_t>(a), static_cast<size_t>(b), graph);
  }
  std::vector<int> component_of(datacenters);
  const int count = boost::connected_components(graph, component_of.data());
  std::vector<std::vector<DatacenterIndex>> components(static_cast<size_t>(count));
  for (size_t datacenter = 0; datacenter < datacenters; ++datacenter) {
    if (is_removed[datacenter]) continue;
    components[static_cast<size_t>(component_of[datacenter])].push_back(
        static_cast<DatacenterIndex>(datacenter));
  }
  // A removed datacenter is a component of its own in the graph, now empty.
  std::erase_if(components, [](const auto& component) { return component.empty(); });
  std::sort(components.begin(), components.end());
  return components;
}

}  // namespace crosscheck::spec::placement
