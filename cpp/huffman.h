// The Huffman tree over word counts used by hierarchical softmax.  Paths are stored flat,
// so depth is unbounded (the C tool's fixed 40-entry arrays can overflow).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fe {

struct HuffmanTree {
  // Word w's path is [offsets[w], offsets[w+1]): points[k] is the inner node (row of syn1)
  // visited at depth k, starting at the root (n - 2), codes[k] the branch taken below it.
  std::vector<uint64_t> offsets;
  std::vector<uint8_t> codes;
  std::vector<int32_t> points;

  size_t depth(size_t w) const { return offsets[w + 1] - offsets[w]; }
};

HuffmanTree build_huffman(const std::vector<uint64_t>& counts);

}  // namespace fe
