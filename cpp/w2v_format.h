// Reading and writing the word2vec C tool's vector files (text and binary) over a byte buffer.
// No I/O and no Python here: the caller maps or decompresses the file once and hands over the
// bytes, so the same code serves plain, .gz, .bz2 and .xz files.  Every size read from the file
// is checked against the buffer before anything is allocated or copied.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fe {

enum class W2VError {
  kNone = 0,
  kFormat,     // malformed content: bad header, non-number, short or long row
  kTruncated,  // the buffer ends before the declared number of records
};

struct W2VStatus {
  W2VError error = W2VError::kNone;
  std::string message;
  bool ok() const { return error == W2VError::kNone; }
};

struct W2VHeader {
  int64_t count = 0;         // declared number of vectors
  int64_t dim = 0;           // declared dimensionality
  std::size_t body_offset = 0;  // first byte after the header line
};

// Where each word's bytes sit in the caller's buffer (not decoded: encoding is the caller's job).
struct W2VWords {
  std::vector<uint64_t> offsets;
  std::vector<uint32_t> lengths;
};

// Largest accepted dimensionality; anything above is treated as a corrupt header.
constexpr int64_t kW2VMaxDim = int64_t(1) << 24;

// Parses the "<count> <dim>\n" header line.  Fails on anything but two non-negative integers.
W2VStatus parse_w2v_header(const char* data, std::size_t size, W2VHeader* out);

// Upper bound on the records `body_bytes` can hold: a binary record takes at least
// 1 + 4*dim bytes (word may be empty), a text row at least 2*dim - 1 bytes plus a newline.
int64_t w2v_max_records(std::size_t body_bytes, int64_t dim, bool binary);

// Counts the lines (up to `limit`, <0 = no limit) and the values on the first line of a
// header-less text file, as gensim's no_header=True does.  `dim` is 0 for an empty file.
W2VStatus scan_w2v_text(const char* data, std::size_t size, int64_t limit, int64_t* count,
                        int64_t* dim);

// Reads `count` binary records ("word<space><dim little-endian float32>", optionally followed
// by a newline, which is skipped as leading newlines of the next word) starting at `offset`.
// `out` holds count*dim floats.
W2VStatus parse_w2v_binary(const char* data, std::size_t size, std::size_t offset, int64_t count,
                           int64_t dim, float* out, W2VWords* words);

// Reads `count` text rows ("word v1 v2 ... vdim") starting at `offset`, parsing on up to
// `threads` threads.  Values are read as double and rounded to float32, like numpy's
// float32(str) that gensim uses, so files load to the same bits in both.
W2VStatus parse_w2v_text(const char* data, std::size_t size, std::size_t offset, int64_t count,
                         int64_t dim, float* out, W2VWords* words, int threads);

// Appends `rows` records to `out`; row r's values start at vectors + r*row_stride.  Text
// values use the shortest representation that reads back to the same float32.
void format_w2v_rows(const std::vector<std::string_view>& words, const float* vectors,
                     int64_t rows, int64_t dim, int64_t row_stride, bool binary, bool newline,
                     std::string* out);

}  // namespace fe
