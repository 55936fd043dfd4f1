// Fuzz target: FileChunks + ChunkReader, the file-mode trainer's reader, on arbitrary file
// contents and chunk sizes.  Reading every chunk and tokenising each one (as the workers do)
// must give every word of the file exactly once, in order, and keep every line break between
// two words of one chunk.
// Input: [chunk size u16 (0 means 1)][file contents].
#include <sys/mman.h>
#include <unistd.h>

#include "file_chunks.h"
#include "fuzz_common.h"
#include "tokenizer.h"

namespace {

// One in-memory file reused for every input, opened by path as the trainer does.
struct MemFile {
  int fd;
  std::string path;
  MemFile() {
    fd = memfd_create("fuzz_file_chunks", 0);
    FUZZ_CHECK(fd >= 0);
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  void write(std::string_view s) {
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    size_t done = 0;
    while (done < s.size()) {
      ssize_t w = pwrite(fd, s.data() + done, s.size() - done, static_cast<off_t>(done));
      FUZZ_CHECK(w > 0);
      done += static_cast<size_t>(w);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MemFile file;
  fuzz::Input in{data, size};
  const uint64_t chunk = in.u16();
  const std::string_view text = in.rest();
  file.write(text);

  fe::FileChunks chunks(file.path, chunk);
  FUZZ_CHECK(chunks.file_size() == text.size());
  fe::ChunkReader reader(file.path);
  std::string buf;
  std::vector<fuzz::RefToken> got;
  std::vector<bool> chunk_first;
  for (uint64_t c = 0; c < chunks.count(); ++c) {
    FUZZ_CHECK(chunks.begin(c) < chunks.end(c) && chunks.end(c) <= text.size());
    reader.read(chunks, c, buf);
    bool first = true, nl = false;
    fe::tokenize(
        buf.data(), buf.data() + buf.size(), true,
        [&](std::string_view w, bool) {
          got.push_back({std::string(w), nl});
          chunk_first.push_back(first);
          first = nl = false;
        },
        [&] { nl = true; });
  }
  const std::vector<fuzz::RefToken> expect = fuzz::ref_tokens(text);
  FUZZ_CHECK(got.size() == expect.size());
  for (size_t i = 0; i < got.size(); ++i) {
    FUZZ_CHECK(got[i].word == expect[i].word);
    if (i && !chunk_first[i]) FUZZ_CHECK(got[i].newline_before == expect[i].newline_before);
  }
  return 0;
}
