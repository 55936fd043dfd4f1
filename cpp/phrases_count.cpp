#include "phrases_count.h"

#include <memory>
#include <vector>

#include "file_chunks.h"
#include "phrases_ranges.h"

namespace fe {

namespace {

// Feeds a tokenised word to a learner under the 'replace' UTF-8 policy (LineSentence's).
struct WordSink {
  std::string scratch;
  template <class Learner>
  void operator()(Learner& l, std::string_view w, bool high) {
    l.word(normalise_word(w, high, Utf8Policy::Replace, scratch));
  }
};

PhraseLearned learn_serial(const std::string& path, const PhraseSettings& s, uint64_t max_vocab_size,
                           SentenceRule rule, const std::atomic<bool>* stop, std::atomic<uint64_t>* bytes_done) {
  PhraseLearner learner(s, max_vocab_size);
  WordSink sink;
  const uint64_t size = regular_file_size(path);
  read_range(
      path, ByteRange{0, size}, rule, [&](std::string_view w, bool high) { sink(learner, w, high); },
      [&] { learner.end_sentence_if_open(); }, stop, bytes_done);
  return learner.take();
}

// A range's learner that tells the others how many entries it holds, so all stop as soon as
// their tables together pass the cap (the merged table might, and then gensim would have
// pruned: only a serial pass gets that right).
struct RangeLearner {
  PhraseVocab vocab;
  SentenceCounter counter;
  size_t reported = 0;
  std::exception_ptr error;
  RangeLearner(const PhraseSettings& s) : counter(vocab, s) {}
};

}  // namespace

PhraseLearned learn_phrases_file(const std::string& path, const PhraseSettings& s, uint64_t max_vocab_size,
                                 SentenceRule rule, int threads, const std::atomic<bool>* stop,
                                 std::atomic<uint64_t>* bytes_done) {
  const uint64_t size = regular_file_size(path);
  const uint64_t min_range = uint64_t{1} << 20;
  if (threads < 2 || size < static_cast<uint64_t>(threads) * min_range)
    return learn_serial(path, s, max_vocab_size, rule, stop, bytes_done);
  const std::vector<ByteRange> ranges = sentence_ranges(path, threads, rule);
  std::vector<std::unique_ptr<RangeLearner>> parts;
  for (size_t t = 0; t < ranges.size(); ++t) parts.push_back(std::make_unique<RangeLearner>(s));
  std::atomic<uint64_t> entries{0};
  std::atomic<bool> over{false};
  std::atomic<bool> halt{false};
  std::vector<std::thread> pool;
  std::atomic<uint64_t> local_done{0};
  for (size_t t = 0; t < ranges.size(); ++t)
    pool.emplace_back([&, t] {
      RangeLearner& p = *parts[t];
      WordSink sink;
      try {
        read_range(
            path, ranges[t], rule, [&](std::string_view w, bool high) { sink(p.counter, w, high); },
            [&] {
              p.counter.end_sentence();
              const size_t now = p.vocab.size();
              if (now != p.reported) {
                const uint64_t total = entries.fetch_add(now - p.reported) + (now - p.reported);
                p.reported = now;
                if (total > max_vocab_size) {
                  over.store(true);
                  halt.store(true);
                }
              }
              if (stop && stop->load(std::memory_order_relaxed)) halt.store(true);
            },
            &halt, bytes_done ? &local_done : nullptr);
        p.counter.flush();
      } catch (...) {
        p.error = std::current_exception();
        halt.store(true);
      }
    });
  for (auto& th : pool) th.join();
  for (auto& p : parts)
    if (p->error) std::rethrow_exception(p->error);
  if (stop && stop->load()) return PhraseLearned{};
  PhraseLearned out;
  if (!over.load()) {
    out.vocab = std::move(parts[0]->vocab);
    out.words = parts[0]->counter.words();
    for (size_t t = 1; t < parts.size(); ++t) {
      out.vocab.merge(std::move(parts[t]->vocab));
      out.words += parts[t]->counter.words();
      parts[t].reset();
    }
  }
  if (over.load() || out.vocab.size() > max_vocab_size) {
    parts.clear();  // free the partial tables before counting again
    out = PhraseLearned{};
    return learn_serial(path, s, max_vocab_size, rule, stop, bytes_done);
  }
  if (bytes_done) bytes_done->fetch_add(local_done.load());
  // The merged table is under the cap, and it only grew during the scan, so a serial pass
  // would never have pruned: min_reduce stays 1.
  return out;
}

BatchLearner::BatchLearner(const PhraseSettings& s, uint64_t max_vocab_size)
    : learner_(s, max_vocab_size), thread_([this] { run(); }) {}

BatchLearner::~BatchLearner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BatchLearner::push(FlatBatch&& b) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < 2 || error_; });
  if (error_) return;  // finish() reports it
  queue_.push_back(std::move(b));
  cv_.notify_all();
}

void BatchLearner::run() {
  for (;;) {
    FlatBatch b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return;
      b = std::move(queue_.front());
      queue_.pop_front();
    }
    cv_.notify_all();
    try {
      size_t w = 0, start = 0;
      for (uint64_t end_word : b.sentence_ends) {
        for (; w < end_word; ++w) {
          const size_t end = b.word_ends[w];
          learner_.word(std::string_view(b.bytes.data() + start, end - start));
          start = end;
        }
        learner_.end_sentence();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::current_exception();
      queue_.clear();
      cv_.notify_all();
      return;
    }
  }
}

PhraseLearned BatchLearner::finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
  return learner_.take();
}

void merge_learned(PhraseVocab& vocab, uint64_t& words, uint64_t& min_reduce, PhraseLearned&& learned,
                   uint64_t max_vocab_size) {
  words += learned.words;
  if (vocab.size() == 0) {
    // gensim takes the new table as it is and keeps its own min_reduce.
    vocab = std::move(learned.vocab);
    return;
  }
  min_reduce = std::max(min_reduce, learned.min_reduce);
  vocab.merge(std::move(learned.vocab));
  if (vocab.size() > max_vocab_size) {
    vocab.prune(min_reduce);
    ++min_reduce;
  }
}

}  // namespace fe
