#include "huffman.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace fe {

HuffmanTree build_huffman(const std::vector<uint64_t>& counts) {
  const size_t n = counts.size();
  HuffmanTree t;
  t.offsets.assign(n + 1, 0);
  if (n < 2) return t;
  if (n > 0x7FFFFFFFull) throw std::length_error("vocabulary too large for hierarchical softmax");
  // Two-queue Huffman construction: leaves sorted by count, inner nodes appear in
  // non-decreasing weight order, so each step takes the two smallest fronts.
  std::vector<uint32_t> leaves(n);
  std::iota(leaves.begin(), leaves.end(), 0u);
  std::stable_sort(leaves.begin(), leaves.end(),
                   [&](uint32_t a, uint32_t b) { return counts[a] < counts[b]; });
  std::vector<uint64_t> weight(2 * n - 1);
  for (size_t i = 0; i < n; ++i) weight[i] = counts[i];
  std::vector<uint32_t> parent(2 * n - 1, 0);
  std::vector<uint8_t> bit(2 * n - 1, 0);
  size_t li = 0, ii = n;  // fronts of the leaf queue and the inner-node queue
  auto pop_min = [&](size_t next_inner) -> uint32_t {
    if (li < n && (ii >= next_inner || weight[leaves[li]] <= weight[ii])) return leaves[li++];
    return static_cast<uint32_t>(ii++);
  };
  for (size_t node = n; node < 2 * n - 1; ++node) {
    uint32_t a = pop_min(node);
    uint32_t b = pop_min(node);
    weight[node] = weight[a] + weight[b];
    parent[a] = parent[b] = static_cast<uint32_t>(node);
    bit[a] = 0;
    bit[b] = 1;
  }
  const size_t root = 2 * n - 2;
  std::vector<uint32_t> depth(n);
  uint64_t total = 0;
  for (size_t w = 0; w < n; ++w) {
    uint32_t d = 0;
    for (size_t v = w; v != root; v = parent[v]) ++d;
    depth[w] = d;
    total += d;
  }
  t.codes.resize(total);
  t.points.resize(total);
  for (size_t w = 0; w < n; ++w) {
    t.offsets[w + 1] = t.offsets[w] + depth[w];
    // Walk leaf -> root, filling the path from its end.
    uint64_t k = t.offsets[w + 1];
    for (size_t v = w; v != root; v = parent[v]) {
      --k;
      t.codes[k] = bit[v];
      t.points[k] = static_cast<int32_t>(parent[v] - n);
    }
  }
  return t;
}

}  // namespace fe
