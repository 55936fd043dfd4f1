#include "input_rows.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace fe {

InputRowTable::InputRowTable(std::vector<uint64_t> offsets, std::vector<int32_t> rows, uint64_t input_rows)
    : offsets_(std::move(offsets)), rows_(std::move(rows)), input_rows_(input_rows) {
  if (offsets_.empty() || offsets_.front() != 0 || offsets_.back() != rows_.size())
    throw std::invalid_argument("input row table: offsets must start at 0 and end at the number of rows listed");
  uint64_t widest = 0;
  for (size_t t = 0; t + 1 < offsets_.size(); ++t) {
    if (offsets_[t + 1] <= offsets_[t])
      throw std::invalid_argument("input row table: entry " + std::to_string(t) + " has no input row");
    widest = std::max<uint64_t>(widest, offsets_[t + 1] - offsets_[t]);
  }
  if (widest > (1u << 20)) throw std::invalid_argument("input row table: an entry has more than 2^20 rows");
  max_rows_ = static_cast<int>(widest ? widest : 1);
  for (int32_t r : rows_)
    if (r < 0 || static_cast<uint64_t>(r) >= input_rows_)
      throw std::invalid_argument("input row table: row " + std::to_string(r) + " is outside the input matrix (" +
                                  std::to_string(input_rows_) + " rows)");
}

InputTable InputRowTable::view() const {
  InputTable t;
  t.offsets = offsets_.data();
  t.rows = rows_.data();
  t.max_rows = max_rows_;
  return t;
}

}  // namespace fe
