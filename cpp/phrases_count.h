// Counting unigrams and candidate phrases for Phrases.add_vocab: from a plain file with several
// threads over sentence-aligned byte ranges, or from sentences handed over in batches.
// The result equals gensim's one-pass _learn_vocab: the same entries, counts, first-seen order,
// corpus size, and, under max_vocab_size, the same pruning (which depends on the order of the
// sentences, so it runs on one thread: a threaded count that grows past the cap is redone).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "phrases_vocab.h"
#include "text.h"
#include "tokenizer.h"

namespace fe {

// One _learn_vocab pass: its own table, corpus size and min_reduce.
struct PhraseLearned {
  PhraseVocab vocab;
  uint64_t words = 0;
  uint64_t min_reduce = 1;
};

// Sentences counted one after the other, pruning after each as gensim does.
class PhraseLearner {
 public:
  PhraseLearner(const PhraseLearner&) = delete;
  PhraseLearner& operator=(const PhraseLearner&) = delete;
  PhraseLearner(const PhraseSettings& s, uint64_t max_vocab_size)
      : s_(s), max_vocab_size_(max_vocab_size), counter_(out_.vocab, s_) {}
  void word(std::string_view w) {
    counter_.word(w);
    ++open_words_;
  }
  // A file's blank line is no sentence (LineSentence yields none), an empty list is one.
  void end_sentence_if_open() {
    if (open_words_) end_sentence();
  }
  void end_sentence() {
    open_words_ = 0;
    counter_.end_sentence();
    if (out_.vocab.size() + counter_.pending() <= max_vocab_size_) return;  // cannot be over
    counter_.flush();
    if (out_.vocab.size() > max_vocab_size_) {
      out_.vocab.prune(out_.min_reduce);
      ++out_.min_reduce;
    }
  }
  PhraseLearned take() {
    counter_.flush();
    out_.words = counter_.words();
    return std::move(out_);
  }

 private:
  PhraseSettings s_;  // a copy: the learner may outlive the caller's settings
  uint64_t max_vocab_size_;
  PhraseLearned out_;
  SentenceCounter counter_;
  uint64_t open_words_ = 0;
};

// Counts a plain file whose sentences follow `rule`, with `threads` threads when the file is
// large enough.
PhraseLearned learn_phrases_file(const std::string& path, const PhraseSettings& s, uint64_t max_vocab_size,
                                 SentenceRule rule, int threads, const std::atomic<bool>* stop = nullptr,
                                 std::atomic<uint64_t>* bytes_done = nullptr);

// Batches of sentences (words as UTF-8 bytes) counted on a thread of their own while the
// caller prepares the next batch; the order of batches is kept.
struct FlatBatch {
  std::string bytes;
  std::vector<uint64_t> word_ends;      // end offset of each word in bytes
  std::vector<uint64_t> sentence_ends;  // number of words up to the end of each sentence
  void clear() {
    bytes.clear();
    word_ends.clear();
    sentence_ends.clear();
  }
};

class BatchLearner {
 public:
  BatchLearner(const PhraseSettings& s, uint64_t max_vocab_size);
  ~BatchLearner();
  // Blocks while two batches are waiting.
  void push(FlatBatch&& b);
  // Waits for the counting thread; rethrows its error.
  PhraseLearned finish();

 private:
  void run();
  PhraseLearner learner_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<FlatBatch> queue_;
  bool closed_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

// gensim's Phrases.add_vocab merge: `learned` is added to (vocab, words, min_reduce), then the
// merged table is pruned once if it is over the cap.
void merge_learned(PhraseVocab& vocab, uint64_t& words, uint64_t& min_reduce, PhraseLearned&& learned,
                   uint64_t max_vocab_size);

}  // namespace fe
