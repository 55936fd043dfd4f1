// The input side of a model as data: which rows of the input matrix each vocabulary entry
// trains.  Word2Vec needs none (entry t is row t); a subword model lists a word's own row and
// its character n-gram buckets; a frozen or partly frozen model adds a lock factor per row.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/kernel_api.h"

namespace fe {

class InputRowTable {
 public:
  InputRowTable() = default;
  // offsets: entries + 1 values from 0, non-decreasing, each entry with at least one row;
  // rows: the row ids, each < input_rows.  Throws std::invalid_argument otherwise.
  InputRowTable(std::vector<uint64_t> offsets, std::vector<int32_t> rows, uint64_t input_rows);

  size_t entries() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  uint64_t input_rows() const { return input_rows_; }
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  const std::vector<int32_t>& rows() const { return rows_; }
  // The kernels' view; valid while the table lives.
  InputTable view() const;

 private:
  std::vector<uint64_t> offsets_;
  std::vector<int32_t> rows_;
  uint64_t input_rows_ = 0;
  int max_rows_ = 1;
};

}  // namespace fe
