// One page of a list and the number of entries the whole list has (Airflow's
// `total_entries`).
#pragma once

#include <vector>

namespace leoflow::services {

template <typename T>
struct page {
  std::vector<T> items;
  long long total_entries = 0;
};

// Entries [offset, offset + limit) of a list read whole.
template <typename T>
page<T> page_of(std::vector<T> all, long long limit, long long offset) {
  page<T> out;
  out.total_entries = static_cast<long long>(all.size());
  // i - offset < limit: offset + limit overflows for the largest limits.
  for (long long i = offset; i < out.total_entries && i - offset < limit; ++i)
    out.items.push_back(std::move(all[static_cast<std::size_t>(i)]));
  return out;
}

}  // namespace leoflow::services
