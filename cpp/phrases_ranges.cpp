#include "phrases_ranges.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <cerrno>
#include <exception>
#include <system_error>
#include <thread>

#include "file_chunks.h"

namespace fe {

FileHandle open_read(const std::string& path) {
  FileHandle f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::system_error(errno, std::generic_category(), "cannot open corpus file '" + path + "'");
  return f;
}

void throw_read_failure(const std::string& path) {
  throw std::system_error(errno ? errno : EIO, std::generic_category(), "cannot read corpus file '" + path + "'");
}

namespace {

constexpr size_t kBlock = size_t{1} << 16;

// Reads [pos, pos + n) (fewer bytes at the end of the file).
size_t read_at(FILE* f, const std::string& path, uint64_t pos, char* dst, size_t n) {
  if (std::fseek(f, static_cast<long>(pos), SEEK_SET) != 0) throw_read_failure(path);
  const size_t got = std::fread(dst, 1, n, f);
  if (got < n && std::ferror(f)) throw_read_failure(path);
  return got;
}

// Just after the first byte at or after `from` that `stop_at` accepts; `size` if none.
template <class Pred>
uint64_t after_first(FILE* f, const std::string& path, uint64_t from, uint64_t size, Pred&& stop_at) {
  std::vector<char> buf(kBlock);
  for (uint64_t pos = from; pos < size;) {
    const size_t got = read_at(f, path, pos, buf.data(), buf.size());
    if (!got) break;
    for (size_t i = 0; i < got; ++i)
      if (stop_at(static_cast<unsigned char>(buf[i]))) return pos + i + 1;
    pos += got;
  }
  return size;
}

// The words of the sentence open at the end of range r, counted from the range's last
// newline (has_newline) or from its start.
struct OpenWords {
  bool has_newline = false;
  uint64_t words = 0;
};

OpenWords open_words(const std::string& path, ByteRange r, bool newline_ends) {
  // ASCII text needs no tokeniser: a word starts at a non-space byte after a space (a range
  // starts after whitespace).  Text with other bytes may hold Unicode spaces: it is counted
  // again with the tokeniser.
  static const auto space = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = is_space(static_cast<unsigned char>(c));
    return t;
  }();
  OpenWords fast;
  uint8_t prev = 1, high = 0;
  each_block(path, r, [&](const char* p, size_t n) {
    if (high) return;
    const unsigned char* b = reinterpret_cast<const unsigned char*>(p);
    size_t from = 0;
    if (newline_ends) {
      size_t nl = n;
      for (size_t i = n; i-- > 0;)
        if (b[i] == '\n') {
          nl = i;
          break;
        }
      if (nl < n) {
        fast.has_newline = true;
        fast.words = 0;
        from = nl + 1;
        prev = 1;
      }
    }
    uint64_t words = 0;
    unsigned char any = 0;
    for (size_t i = 0; i < n; ++i) any |= b[i];
    if (any & 0x80) {
      high = 1;
      return;
    }
    for (size_t i = from; i < n; ++i) {
      const uint8_t sp = space[b[i]];
      words += prev & (sp ^ 1);
      prev = sp;
    }
    fast.words += words;
  });
  if (!high) return fast;
  OpenWords out;
  StreamTokenizer tok(SentenceRule{newline_ends, 0});
  auto word = [&](std::string_view, bool) { ++out.words; };
  auto end = [&] {  // only newlines end sentences here
    out.has_newline = true;
    out.words = 0;
  };
  each_block(path, r, [&](const char* p, size_t n) { tok.feed(p, n, word, end); });
  tok.feed(" ", 1, word, end);  // the range ends after whitespace: this only flushes a file's last word
  return out;
}

// Where the next sentence starts at or after `from` (just after whitespace), given `open` words
// of a sentence already open there: after its remaining words under the cap, or after the
// newline that ends it.
uint64_t next_sentence_start(FILE* f, const std::string& path, uint64_t from, uint64_t size, uint64_t open,
                             SentenceRule rule) {
  if (open == 0 || (rule.max_words && open >= rule.max_words)) return from;
  const uint64_t need = rule.max_words ? rule.max_words - open : UINT64_MAX;
  std::string buf;
  uint64_t base = from, words = 0;
  bool in_word = false;
  std::vector<char> block(kBlock);
  while (base + buf.size() < size) {
    const size_t got = read_at(f, path, base + buf.size(), block.data(), block.size());
    if (!got) break;
    buf.append(block.data(), got);
    const bool at_eof = base + buf.size() >= size;
    size_t i = 0;
    while (i < buf.size()) {
      const unsigned char c = static_cast<unsigned char>(buf[i]);
      size_t space = is_space(c) ? 1 : 0;
      if (!space && c >= 0x80) {
        if (!at_eof && buf.size() - i < 3) break;  // a Unicode space may be cut: read on
        space = unicode_space_len(buf.data() + i, buf.data() + buf.size());
      }
      if (!space) {
        in_word = true;
        ++i;
        continue;
      }
      if (in_word && ++words == need) return base + i;
      in_word = false;
      if (c == '\n' && rule.newline_ends) return base + i + 1;
      i += space;
    }
    base += i;
    buf.erase(0, i);
  }
  return size;
}

}  // namespace

std::vector<ByteRange> sentence_ranges(const std::string& path, int parts, SentenceRule rule) {
  const uint64_t size = regular_file_size(path);
  parts = std::max(parts, 1);
  std::vector<uint64_t> cuts{0};
  bool all_at_newlines = rule.newline_ends;
  {
    FileHandle f = open_read(path);
    for (int t = 1; t < parts; ++t) {
      const uint64_t nominal = std::max(cuts.back(), size / static_cast<uint64_t>(parts) * static_cast<uint64_t>(t));
      const uint64_t limit = std::min(size, nominal + (uint64_t{1} << 20));
      uint64_t cut = rule.newline_ends ? after_first(f.get(), path, nominal, limit, [](unsigned char c) { return c == '\n'; })
                                       : limit;
      if (cut >= limit && limit < size) {
        all_at_newlines = false;
        cut = after_first(f.get(), path, nominal, size, [](unsigned char c) { return is_space(c); });
      }
      cuts.push_back(std::max(cuts.back(), cut));
    }
  }
  cuts.push_back(size);
  if (!all_at_newlines) {
    // Count each range's open sentence in parallel, chain them to learn how many words are
    // open at each cut, then move every cut on to the next sentence start.
    std::vector<OpenWords> tails(static_cast<size_t>(parts));
    std::vector<std::exception_ptr> errors(static_cast<size_t>(parts));
    std::vector<std::thread> pool;
    for (int t = 0; t + 1 < parts; ++t)
      pool.emplace_back([&, t] {
        try {
          tails[t] = open_words(path, ByteRange{cuts[t], cuts[t + 1]}, rule.newline_ends);
        } catch (...) {
          errors[t] = std::current_exception();
        }
      });
    for (auto& th : pool) th.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    auto capped = [&](uint64_t w) { return (rule.max_words && w > rule.max_words) ? (w - 1) % rule.max_words + 1 : w; };
    FileHandle f = open_read(path);
    uint64_t at = 0;  // words open at the current cut
    for (int t = 1; t < parts; ++t) {
      const OpenWords& o = tails[t - 1];
      at = capped(o.has_newline ? o.words : at + o.words);
      cuts[t] = std::max(cuts[t - 1], next_sentence_start(f.get(), path, cuts[t], size, at, rule));
    }
    for (int t = 1; t <= parts; ++t) cuts[t] = std::max(cuts[t], cuts[t - 1]);
  }
  std::vector<ByteRange> out;
  for (int t = 0; t < parts; ++t) out.push_back(ByteRange{cuts[t], cuts[t + 1]});
  return out;
}

}  // namespace fe
