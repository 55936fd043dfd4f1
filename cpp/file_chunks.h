// Splits a plain-text corpus file into byte ranges that threads read independently.  A word
// belongs to the range holding its first byte, so every word is read exactly once per pass:
// a range skips the tail of a word begun before it and reads past its end to finish its own.
#pragma once
#include <cstdint>
#include <string>

namespace fe {

// The size of the regular file at path.  Throws std::system_error when it cannot be stat'ed
// and std::invalid_argument for a folder, pipe or device: file mode reads a corpus once per
// epoch in byte ranges, so a pipe would hang the second open and /dev/zero never ends.
uint64_t regular_file_size(const std::string& path);

class FileChunks {
 public:
  FileChunks(const std::string& path, uint64_t chunk_bytes);
  uint64_t file_size() const { return size_; }
  uint64_t count() const { return count_; }
  const std::string& path() const { return path_; }
  uint64_t begin(uint64_t c) const { return c * chunk_; }
  uint64_t end(uint64_t c) const { return c + 1 == count_ ? size_ : (c + 1) * chunk_; }

 private:
  std::string path_;
  uint64_t size_ = 0, chunk_ = 1, count_ = 0;
};

// One thread's reader (its own file descriptor).
class ChunkReader {
 public:
  explicit ChunkReader(const std::string& path);
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;
  // Replaces buf with the text of the words starting in chunk c; the bytes before the first
  // such word are dropped, so buf may start with whitespace but never mid-word.
  // The raw bytes [b, e) (for counting lines).
  void read_range(uint64_t b, uint64_t e, std::string& buf);
  // `start` (optional) receives the file offset of buf's first byte.
  void read(const FileChunks& chunks, uint64_t c, std::string& buf, uint64_t* start = nullptr);

 private:
  size_t pread_all(char* dst, size_t n, uint64_t off);
  int fd_ = -1;
  std::string path_;
};

}  // namespace fe
