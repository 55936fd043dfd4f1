// Fuzz target: the streaming tokenizer, the stream-mode cutter and CorpusCounter::feed on
// arbitrary bytes cut into pieces at arbitrary points, under each sentence rule.  Checks the sentences against a plain
// reference (Python's decode + str.split(), sentences ended by '\n' and/or cut every
// max_words words), and the word counts, sentence count and pruning against a plain
// reference counter (the word2vec C tool's ReduceVocab, UTF-8 repaired by the standard).
//
// Input: [flags][cap][rule][cut u16 x ncuts][text]; flags bits 0-1: UTF-8 policy (0 replace,
// 1 ignore, 2 strict, 3 replace), bits 2-4: ncuts, bit 5: max_vocab_size = cap + 1;
// rule bit 0: newlines do NOT end sentences, bits 1-3: max_words (0: no cap).
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "corpus_count.h"
#include "fuzz_common.h"
#include "stream_cutter.h"
#include "tokenizer.h"

namespace {

struct RefCounter {
  uint64_t cap, min_reduce = 1, total = 0, sentences = 0;
  std::vector<std::string> words;
  std::vector<uint64_t> counts;
  std::unordered_map<std::string, size_t> index;
  bool in_sentence = false;

  void add(const std::string& w) {
    auto it = index.find(w);
    if (it == index.end()) {
      index.emplace(w, words.size());
      words.push_back(w);
      counts.push_back(1);
    } else {
      ++counts[it->second];
    }
    ++total;
    in_sentence = true;
    while (cap && words.size() > cap) {
      std::vector<std::string> w2;
      std::vector<uint64_t> c2;
      for (size_t i = 0; i < words.size(); ++i)
        if (counts[i] > min_reduce) w2.push_back(words[i]), c2.push_back(counts[i]);
      words.swap(w2);
      counts.swap(c2);
      index.clear();
      for (size_t i = 0; i < words.size(); ++i) index.emplace(words[i], i);
      ++min_reduce;
    }
  }
  void end_sentence() {
    if (in_sentence) ++sentences;
    in_sentence = false;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in{data, size};
  const uint8_t flags = in.byte();
  const uint8_t cap_byte = in.byte();
  const uint8_t rule_byte = in.byte();
  const int mode = (flags & 3) == 3 ? 0 : (flags & 3);
  const int ncuts = (flags >> 2) & 7;
  const uint64_t cap = (flags & 0x20) ? cap_byte + 1u : 0;
  const fe::SentenceRule rule{(rule_byte & 1) == 0, static_cast<uint64_t>((rule_byte >> 1) & 7)};
  std::vector<uint16_t> raw;
  for (int k = 0; k < ncuts; ++k) raw.push_back(in.u16());
  const std::string_view text = in.rest();
  const std::vector<size_t> cuts = fuzz::split_points(raw, text.size());

  // 1. Stream tokenizer: the same sentences whatever the cuts.
  std::vector<std::vector<std::string>> expect(1);
  for (const fuzz::RefToken& t : fuzz::ref_tokens(text)) {
    if ((rule.newline_ends && t.newline_before) || (rule.max_words && expect.back().size() == rule.max_words))
      if (!expect.back().empty()) expect.emplace_back();
    expect.back().push_back(t.word);
  }
  if (expect.back().empty()) expect.pop_back();

  std::vector<std::vector<std::string>> got(1);
  fe::StreamTokenizer tok(rule);
  auto on_word = [&](std::string_view w, bool high) {
    bool h = false;
    for (unsigned char c : w) h |= c >= 0x80;
    FUZZ_CHECK(h == high);
    FUZZ_CHECK(!w.empty());
    got.back().emplace_back(w);
  };
  auto on_end = [&] {
    if (!got.back().empty()) got.emplace_back();
  };
  size_t prev = 0;
  for (size_t c : cuts) {
    tok.feed(text.data() + prev, c - prev, on_word, on_end);
    prev = c;
  }
  tok.feed(text.data() + prev, text.size() - prev, on_word, on_end);
  tok.finish(on_word, on_end);
  FUZZ_CHECK(got.back().empty());  // finish() ends the last sentence
  got.pop_back();
  FUZZ_CHECK(got == expect);

  // 2. The stream-mode cutter (pieces of 1..64 bytes, each tokenised on its own): the same
  // words, and the same sentence ends plus, at most, one at each piece's end.
  {
    auto ends_of = [](const std::vector<std::vector<std::string>>& ss) {
      std::set<size_t> out;
      size_t n = 0;
      for (const auto& s : ss) out.insert(n += s.size());
      return out;
    };
    std::vector<std::vector<std::string>> pieces_got(1);
    std::set<size_t> piece_ends;
    size_t words = 0;
    fe::StreamCutter cutter(rule, 1 + cap_byte % 64);
    auto on_piece = [&](std::string&& piece, uint64_t sentence_words) {
      // The cutter's count (ASCII fast path or not) agrees with tokenising the piece, from
      // this piece's open sentence and from any other a piece could start in.
      for (uint64_t before : {sentence_words, uint64_t{0}, static_cast<uint64_t>(rule.max_words)})
        FUZZ_CHECK(fe::sentence_words_after(piece, before, rule) ==
                   fe::tokenize_piece(piece, before, rule, [](std::string_view, bool) {}, [] {}));
      fe::tokenize_piece(
          piece, sentence_words, rule,
          [&](std::string_view w, bool) {
            pieces_got.back().emplace_back(w);
            ++words;
          },
          [&] {
            if (!pieces_got.back().empty()) pieces_got.emplace_back();
          });
      piece_ends.insert(words);
    };
    prev = 0;
    for (size_t c : cuts) {
      cutter.feed(text.data() + prev, c - prev, on_piece);
      prev = c;
    }
    cutter.feed(text.data() + prev, text.size() - prev, on_piece);
    cutter.finish(on_piece);
    FUZZ_CHECK(pieces_got.back().empty());
    pieces_got.pop_back();
    std::vector<std::string> flat_got, flat_expect;
    for (const auto& s : pieces_got) flat_got.insert(flat_got.end(), s.begin(), s.end());
    for (const auto& s : expect) flat_expect.insert(flat_expect.end(), s.begin(), s.end());
    FUZZ_CHECK(flat_got == flat_expect);
    const std::set<size_t> want = ends_of(expect), have = ends_of(pieces_got);
    for (size_t e : want) FUZZ_CHECK(have.count(e));
    for (size_t e : have) FUZZ_CHECK(want.count(e) || piece_ends.count(e));
  }

  // 3. CorpusCounter over the same pieces against the reference counter.
  RefCounter ref{cap};
  bool ref_invalid = false;
  std::string fixed;
  for (const auto& sentence : expect) {
    for (const std::string& w : sentence) {
      if (!fuzz::ref_fix_utf8(w, mode, fixed)) {
        ref_invalid = true;
        break;
      }
      if (!fixed.empty()) ref.add(fixed);
    }
    if (ref_invalid) break;
    ref.end_sentence();
  }

  fe::CorpusCounter counter(cap, static_cast<fe::Utf8Policy>(mode), rule);
  bool threw = false;
  try {
    prev = 0;
    for (size_t c : cuts) {
      counter.feed(text.data() + prev, c - prev);
      prev = c;
    }
    counter.feed(text.data() + prev, text.size() - prev);
    counter.finish();
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  FUZZ_CHECK(threw == ref_invalid);
  if (threw) return 0;
  const fe::WordCounter& wc = counter.counter();
  FUZZ_CHECK(wc.total_words() == ref.total);
  FUZZ_CHECK(wc.sentences() == ref.sentences);
  FUZZ_CHECK(wc.min_reduce() == ref.min_reduce);
  FUZZ_CHECK(wc.size() == ref.words.size());
  for (size_t i = 0; i < wc.size(); ++i) {
    FUZZ_CHECK(wc.table().word(i) == ref.words[i]);
    FUZZ_CHECK(wc.counts()[i] == ref.counts[i]);
    FUZZ_CHECK(wc.table().find(ref.words[i]) == static_cast<int64_t>(i));
    FUZZ_CHECK(fe::is_valid_utf8(ref.words[i]));
  }
  return 0;
}
