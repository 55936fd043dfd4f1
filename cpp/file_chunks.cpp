#include "file_chunks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "text.h"

namespace fe {

static std::system_error io_error(const std::string& what, const std::string& path) {
  return std::system_error(errno, std::generic_category(), what + " '" + path + "'");
}

uint64_t regular_file_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw io_error("cannot open corpus file", path);
  if (S_ISDIR(st.st_mode)) throw std::invalid_argument("corpus_file is a directory: '" + path + "'");
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument("corpus_file is not a regular file (a pipe or a device?): '" + path +
                                "'; it is read once per epoch, so save the text to a file first");
  return static_cast<uint64_t>(st.st_size);
}

FileChunks::FileChunks(const std::string& path, uint64_t chunk_bytes) : path_(path) {
  size_ = regular_file_size(path);
  chunk_ = chunk_bytes ? chunk_bytes : 1;
  count_ = size_ ? (size_ + chunk_ - 1) / chunk_ : 0;
}

ChunkReader::ChunkReader(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw io_error("cannot open corpus file", path);
}

ChunkReader::~ChunkReader() {
  if (fd_ >= 0) ::close(fd_);
}

size_t ChunkReader::pread_all(char* dst, size_t n, uint64_t off) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, dst + got, n - got, static_cast<off_t>(off + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot read corpus file", path_);
    }
    if (r == 0) break;  // the file shrank: read what is there
    got += static_cast<size_t>(r);
  }
  return got;
}

void ChunkReader::read_range(uint64_t b, uint64_t e, std::string& buf) {
  buf.resize(e - b);
  buf.resize(pread_all(&buf[0], e - b, b));
}

void ChunkReader::read(const FileChunks& chunks, uint64_t c, std::string& buf, uint64_t* start) {
  const uint64_t b = chunks.begin(c), e = chunks.end(c);
  // Read one byte before the range, to know whether it starts mid-word.
  const uint64_t rb = b ? b - 1 : 0;
  buf.resize(e - rb);
  buf.resize(pread_all(&buf[0], e - rb, rb));
  // Finish the last word: read on until whitespace or the end of the file.
  uint64_t pos = rb + buf.size();
  const size_t step = 1 << 16;
  while (!buf.empty() && !is_space(static_cast<unsigned char>(buf.back())) && pos < chunks.file_size()) {
    size_t old = buf.size();
    buf.resize(old + step);
    size_t got = pread_all(&buf[old], step, pos);
    buf.resize(old + got);
    if (!got) break;
    pos += got;
    size_t k = old;
    while (k < buf.size() && !is_space(static_cast<unsigned char>(buf[k]))) ++k;
    if (k < buf.size()) {
      buf.resize(k + 1);
      break;
    }
  }
  if (b) {
    // Drop the tail of a word that began in the previous range (and the look-behind byte).
    size_t k = 0;
    while (k < buf.size() && !is_space(static_cast<unsigned char>(buf[k]))) ++k;
    buf.erase(0, k);
    if (start) *start = rb + k;
  } else if (start) {
    *start = 0;
  }
}

}  // namespace fe
