// Splits a plain-text corpus file into byte ranges that threads read independently.  A word
// belongs to the range holding its first byte, so every word is read exactly once per pass:
// a range skips the tail of a word begun before it and reads past its end to finish its own.
#pragma once
#include <cstdint>
#include <string>

namespace fe {

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
  void read(const FileChunks& chunks, uint64_t c, std::string& buf);

 private:
  size_t pread_all(char* dst, size_t n, uint64_t off);
  int fd_ = -1;
  std::string path_;
};

}  // namespace fe
