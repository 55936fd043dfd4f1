#include "trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "corpus_count.h"
#include "rng.h"
#include "simd_dispatch.h"

namespace fe {

namespace {
uint64_t splitmix64_once(uint64_t s) { return splitmix64(s); }
constexpr size_t kBlockWords = 10000;        // the longest run of words handed to a kernel
constexpr uint64_t kProgressWords = 10000;   // how often a worker publishes progress
// Hierarchical softmax, several threads: how many of the heaviest inner nodes each thread
// trains in its own copy, and how many centre words it trains between merges.  Measured on
// the 17M-word corpus, 2 threads: 1.4x faster for sg-hs and cbow-hs, analogy accuracy within
// 0.15 points over 6 seeds (larger copies gained nothing more; merging every 256 words cost
// sg-hs 0.5 points).
constexpr int kHotNodes = 64;
constexpr int kHotPeriod = 64;
}  // namespace

Trainer::Trainer(const Vocab& vocab, const TrainConfig& cfg, const Matrices& mats, const KernelSet* kernels)
    : vocab_(vocab), cfg_(cfg), mats_(mats), kernels_(kernels) {
  const size_t n = vocab.size();
  if (n == 0) throw std::invalid_argument("cannot train: the vocabulary is empty");
  if (!mats.syn0) throw std::invalid_argument("the input matrix is missing");
  if (mats.input ? mats.input->entries() != n || mats.input->input_rows() != mats.input_rows
                 : mats.input_rows < n)
    throw std::invalid_argument(mats.input ? "the input row table does not fit the vocabulary and input matrix"
                                           : "model matrices are smaller than the vocabulary");
  if (mats.stride <= 0 || mats.stride % 16) throw std::invalid_argument("matrix stride must be a positive multiple of 16");
  if (cfg.negative > 0 && !mats.syn1neg) throw std::invalid_argument("negative sampling needs syn1neg");
  if (cfg.hs && !mats.syn1) throw std::invalid_argument("hierarchical softmax needs syn1");
  if (!cfg.hs && cfg.negative <= 0) throw std::invalid_argument("either hs or negative must be on");
  if (cfg.window < 1) throw std::invalid_argument("window must be at least 1");
  if (cfg.workers < 1) throw std::invalid_argument("workers must be at least 1");
  const bool docs = cfg.arch == Arch::PvDbow || cfg.arch == Arch::PvDm;
  if (cfg.arch != Arch::SkipGramShared && cfg.arch != Arch::SkipGramPerPair && cfg.arch != Arch::Cbow &&
      cfg.arch != Arch::SkipGramCentre && !docs)
    throw std::invalid_argument("unknown architecture");
  if (docs && (!mats.doc0 || mats.doc_rows == 0))
    throw std::invalid_argument("a document model needs its tag vectors (doc0)");
  if (cfg.max_tags < 0) throw std::invalid_argument("max_tags must be >= 0");

  if (!kernels_) {
    choice_ = choose_kernels(cfg, mats.stride);
    kernels_ = choice_.kernels;
  }

  keep_ = keep_thresholds(keep_probabilities(vocab.counts, cfg.sample));
  if (cfg.negative > 0) alias_ = AliasTable(vocab.counts, cfg.ns_exponent);
  if (cfg.hs) huffman_ = build_huffman(vocab.counts);
  sigmoid_.resize(kSigmoidTableSize);
  for (int i = 0; i < kSigmoidTableSize; ++i) {
    // Each entry is the sigmoid at the middle of its bin.
    double x = (i + 0.5) * (2.0 * kMaxExp / kSigmoidTableSize) - kMaxExp;
    sigmoid_[i] = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
  }

  km_.syn0 = mats.syn0;
  km_.syn1neg = mats.syn1neg;
  km_.syn1 = mats.syn1;
  km_.stride = mats.stride;
  km_.set = cfg;
  km_.set.hs = cfg.hs && n >= 2;
  km_.input = mats.input ? mats.input->view() : InputTable{};
  km_.lockf = mats.lockf;
  km_.doc0 = mats.doc0;
  km_.doc_lockf = mats.doc_lockf;
  km_.keep_threshold = keep_.data();
  km_.alias_cells = alias_.cells_data();
  km_.vocab_size = static_cast<uint32_t>(n);
  km_.hs_offsets = huffman_.offsets.empty() ? nullptr : huffman_.offsets.data();
  km_.hs_codes = huffman_.codes.data();
  km_.hs_points = huffman_.points.data();
  km_.sigmoid_table = sigmoid_.data();
  // One thread shares no rows: it trains syn1 directly.
  // (Not when outputs stay fixed: then nothing is written to merge.)
  km_.hot_rows = km_.set.hs && cfg.workers > 1 && cfg.train_outputs ? std::min<int>(kHotNodes, static_cast<int>(n) - 1) : 0;
  km_.hot_begin = static_cast<int>(n) - 1 - km_.hot_rows;  // the last inner nodes: the heaviest
  km_.hot_period = kHotPeriod;

  size_t max_depth = 0;
  if (cfg.hs)
    for (size_t w = 0; w < n; ++w) max_depth = std::max<size_t>(max_depth, huffman_.depth(w));
  const size_t nout = static_cast<size_t>(std::max(cfg.negative, 0)) + 1 + max_depth;
  const size_t nctx = 2 * static_cast<size_t>(cfg.window);
  const size_t ntags = static_cast<size_t>(cfg.max_tags);
  const size_t nin = nctx * static_cast<size_t>(km_.input.max_rows) + ntags;  // CBOW's flattened rows
  const size_t nbatch = std::max<size_t>(std::max(nctx, ntags), 1);       // sg_shared's inputs
  const size_t st = static_cast<size_t>(mats.stride);
  // Per-thread random streams: one seed, distinct per thread, independent of anything else.
  uint64_t seeder = cfg.seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  for (int t = 0; t < cfg.workers; ++t) {
    auto s = std::make_unique<Slot>();
    s->kept_buf = aligned_array<int32_t>(kBlockWords);
    s->ctx = aligned_array<int32_t>(nctx);
    s->outputs = aligned_array<int32_t>(nout);
    s->ahead = aligned_array<int32_t>(static_cast<size_t>(kNegativesAhead) * std::max(cfg.negative, 1));
    s->labels = aligned_array<float>(nout);
    s->err = aligned_array<float>(nbatch * st);
    s->hidden = aligned_array<float>(st);
    s->scores = aligned_array<float>(nout * nbatch);
    s->coef = aligned_array<float>(std::max(nout, nin));
    s->in_rows = aligned_array<float*>(std::max<size_t>(nin, 1));
    s->in_scale = aligned_array<float>(std::max<size_t>(nin, 1));
    s->composed = aligned_array<float>(std::max<size_t>(nctx, 1) * st);
    s->out_rows = aligned_array<float*>(nout);
    s->scratch.rng = splitmix64(seeder) | 1;
    if (km_.hot_rows) {
      s->hot = aligned_array<float>(static_cast<size_t>(km_.hot_rows) * st);
      s->hot_snap = aligned_array<float>(static_cast<size_t>(km_.hot_rows) * st);
    }
    s->scratch.hot = s->hot.get();
    s->scratch.hot_snap = s->hot_snap.get();
    s->scratch.kept = s->kept_buf.get();
    s->scratch.ctx = s->ctx.get();
    s->scratch.outputs = s->outputs.get();
    s->scratch.ahead = s->ahead.get();
    s->scratch.labels = s->labels.get();
    s->scratch.err = s->err.get();
    s->scratch.hidden = s->hidden.get();
    s->scratch.scores = s->scores.get();
    s->scratch.coef = s->coef.get();
    s->scratch.in_rows = s->in_rows.get();
    s->scratch.in_scale = s->in_scale.get();
    s->scratch.composed = s->composed.get();
    s->scratch.out_rows = s->out_rows.get();
    slots_.push_back(std::move(s));
  }
}

Trainer::~Trainer() {
  stop();
  join();
}

double Trainer::alpha() const {
  double progress = cfg_.expected_words ? static_cast<double>(global_words_.load(std::memory_order_relaxed)) /
                                              static_cast<double>(cfg_.expected_words)
                                        : 0.0;
  progress = std::min(progress, 1.0);
  return cfg_.alpha - (cfg_.alpha - cfg_.min_alpha) * progress;
}

void Trainer::count_chunk_lines() {
  // chunk_lines_[c]: the newlines before chunk c's first byte.  One sequential pass, once per
  // epoch of a document model (a few tens of milliseconds per 100 MB).
  chunk_lines_.assign(chunks_->count() + 1, 0);
  ChunkReader reader(chunks_->path());
  std::string buf;
  uint64_t lines = 0;
  for (uint64_t c = 0; c < chunks_->count(); ++c) {
    chunk_lines_[c] = lines;
    reader.read_range(chunks_->begin(c), chunks_->end(c), buf);
    for (char ch : buf) lines += ch == '\n';
  }
  chunk_lines_[chunks_->count()] = lines;
}

void Trainer::set_learning_rate(double alpha) {
  if (!threads_.empty()) throw std::logic_error("set_learning_rate: an epoch is running");
  cfg_.alpha = cfg_.min_alpha = alpha;
}

double Trainer::time_block(const std::vector<int32_t>& words) {
  if (words.size() > kBlockWords) throw std::invalid_argument("a timed block is at most kBlockWords long");
  Slot& slot = *slots_[0];
  if (km_.hot_rows) load_hot(slot);
  const auto t0 = std::chrono::steady_clock::now();
  kernels_->train_block(km_, slot.scratch, words.data(), words.size(), static_cast<float>(cfg_.alpha));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

uint64_t Trainer::words_done() const { return global_words_.load(std::memory_order_relaxed); }

double Trainer::epoch_loss() const {
  double l = 0;
  for (auto& s : slots_) l += s->loss.load(std::memory_order_relaxed);
  return l;
}

void Trainer::flush_progress(uint64_t& pending) {
  if (pending) global_words_.fetch_add(pending, std::memory_order_relaxed);
  pending = 0;
}

void Trainer::throw_diverged(float alpha) const {
  char msg[400];
  std::snprintf(msg, sizeof msg,
                "training diverged: the weights blew up (a score was NaN, infinite or beyond %g) at "
                "learning rate %g (alpha=%g, min_alpha=%g); the learning rate is too high for this "
                "model and corpus: try a smaller alpha, e.g. the default 0.025",
                static_cast<double>(kWildScore), static_cast<double>(alpha), cfg_.alpha, cfg_.min_alpha);
  throw TrainingDiverged(msg);
}

void Trainer::run_job(Slot& slot, const Job& job, uint64_t& pending) {
  const KernelSet& k = *kernels_;
  uint32_t start = 0;
  float alpha = static_cast<float>(this->alpha());
  const bool tagged = !job.tag_ends.empty();
  for (size_t si = 0; si < job.ends.size(); ++si) {
    const uint32_t end = job.ends[si];
    const uint32_t tag_start = tagged && si ? job.tag_ends[si - 1] : 0;
    slot.scratch.tags = tagged ? job.tags.data() + tag_start : nullptr;
    slot.scratch.ntags = tagged ? static_cast<int>(job.tag_ends[si] - tag_start) : 0;
    if (!job.seeds.empty()) {
      slot.scratch.rng = splitmix64_once(job.seeds[si]) | 1;
      slot.scratch.ahead_ready = 0;  // negatives drawn ahead came from the old stream
    }
    for (uint32_t b = start; b < end; b += kBlockWords) {
      if (stop_.load(std::memory_order_relaxed)) return;
      const size_t len = std::min<size_t>(kBlockWords, end - b);
      const size_t kept = k.train_block(km_, slot.scratch, job.ids.data() + b, len, alpha);
      if (slot.scratch.wild_scores) throw_diverged(alpha);
      slot.words.fetch_add(len, std::memory_order_relaxed);
      slot.kept.fetch_add(kept, std::memory_order_relaxed);
      if (cfg_.compute_loss) slot.loss.store(slot.scratch.loss, std::memory_order_relaxed);
      pending += len;
      if (pending >= kProgressWords) {
        flush_progress(pending);
        alpha = static_cast<float>(this->alpha());
      }
    }
    start = end;
  }
}

int32_t Trainer::lookup(std::string_view w, bool high, std::string& scratch) const {
  std::string_view v = normalise_word(w, high, cfg_.utf8, scratch);
  return static_cast<int32_t>(vocab_.find(v));
}

void Trainer::tokenize_job(const Job& raw, Job& out, std::string& scratch) const {
  out.clear();
  tokenize_piece(
      raw.text, raw.sentence_words, cutter_.rule(),
      [&](std::string_view w, bool high) {
        int32_t id = lookup(w, high, scratch);
        if (id >= 0) out.ids.push_back(id);
      },
      [&] { out.end_sentence(); });
}

void Trainer::load_hot(Slot& slot) const {
  const size_t st = static_cast<size_t>(mats_.stride);
  const float* from = mats_.syn1 + static_cast<size_t>(km_.hot_begin) * st;
  std::copy(from, from + static_cast<size_t>(km_.hot_rows) * st, slot.hot.get());
  std::copy(from, from + static_cast<size_t>(km_.hot_rows) * st, slot.hot_snap.get());
  slot.scratch.hot_since = 0;
}

void Trainer::worker(size_t tid) {
  Slot& slot = *slots_[tid];
  uint64_t pending = 0;
  if (km_.hot_rows) load_hot(slot);
  try {
    if (chunks_) {
      ChunkReader reader(chunks_->path());
      std::string buf, scratch;
      Job job;
      for (;;) {
        if (stop_.load(std::memory_order_relaxed)) break;
        const uint64_t c = next_chunk_.fetch_add(1);
        if (c >= chunks_->count()) break;
        uint64_t start = 0;
        reader.read(*chunks_, c, buf, &start);
        job.clear();
        if (km_.doc0) {
          // Document models: a line is a document, its tag row its line number (counted
          // from the newlines before this piece; see start_file_epoch).
          uint64_t line = chunk_lines_[c];
          if (start + 1 == chunks_->begin(c) && !buf.empty() && buf[0] == '\n') --line;
          auto end_document = [&] {
            const size_t before = job.ends.size();
            job.end_sentence();
            if (job.ends.size() == before) return;
            if (line >= mats_.doc_rows) throw std::invalid_argument("the corpus file has more lines than document vectors");
            job.tags.push_back(static_cast<int32_t>(line));
            job.tag_ends.push_back(static_cast<uint32_t>(job.tags.size()));
          };
          tokenize(
              buf.data(), buf.data() + buf.size(), true,
              [&](std::string_view w, bool high) {
                int32_t id = lookup(w, high, scratch);
                if (id >= 0) job.ids.push_back(id);
              },
              [&] {
                end_document();
                ++line;
              });
          end_document();
        } else {
          tokenize(
              buf.data(), buf.data() + buf.size(), true,
              [&](std::string_view w, bool high) {
                int32_t id = lookup(w, high, scratch);
                if (id >= 0) job.ids.push_back(id);
              },
              [&] { job.end_sentence(); });
          job.end_sentence();
        }
        run_job(slot, job, pending);
      }
    } else {
      Job job, words;
      std::string scratch;
      while (pop(job)) {
        if (job.text.empty()) {
          run_job(slot, job, pending);
        } else {
          tokenize_job(job, words, scratch);
          run_job(slot, words, pending);
        }
      }
    }
  } catch (...) {
    std::lock_guard<std::mutex> lk(err_mu_);
    if (!error_) error_ = std::current_exception();
    stop_.store(true);
    q_not_full_.notify_all();
    q_not_empty_.notify_all();
  }
  flush_progress(pending);
  if (km_.hot_rows) kernels_->merge_hot(km_, slot.scratch);  // the epoch's last updates
  {
    std::lock_guard<std::mutex> lk(done_mu_);
    running_.fetch_sub(1);
  }
  done_cv_.notify_all();
}

void Trainer::launch() {
  if (!threads_.empty()) throw std::logic_error("an epoch is already running");
  for (auto& s : slots_) {
    s->words.store(0);
    s->kept.store(0);
    s->loss.store(0);
    s->scratch.loss = 0;
    s->scratch.examples = 0;
    s->scratch.wild_scores = 0;
  }
  running_.store(slots_.size());
  try {
    for (size_t t = 0; t < slots_.size(); ++t) threads_.emplace_back(&Trainer::worker, this, t);
  } catch (...) {
    stop();
    join();
    throw;
  }
}

void Trainer::start_file_epoch(const std::string& path) {
  if (stop_) throw std::logic_error("training was stopped");
  uint64_t chunk = cfg_.file_chunk_bytes;
  FileChunks probe(path, 1);
  if (!chunk) {
    // Many more chunks than threads balances the load: at an epoch's end a thread waits for
    // the others' last chunks at most, so chunks stay at or below 1 MB (~0.1 s of work).
    chunk = std::clamp<uint64_t>(probe.file_size() / (static_cast<uint64_t>(cfg_.workers) * 64), 1 << 16, 1 << 20);
  }
  chunks_ = std::make_unique<FileChunks>(path, chunk);
  if (km_.doc0) count_chunk_lines();
  next_chunk_.store(0);
  launch();
}

void Trainer::start_stream_epoch(SentenceRule rule) {
  if (stop_) throw std::logic_error("training was stopped");
  chunks_.reset();
  {
    std::lock_guard<std::mutex> lk(q_mu_);
    queue_.clear();
    closed_ = false;
  }
  cutter_ = StreamCutter(rule);
  ready_.clear();
  launch();
}

Trainer::Push Trainer::push(Job& job, double timeout_s) {
  std::unique_lock<std::mutex> lk(q_mu_);
  const size_t cap = 2 * slots_.size() + 2;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  if (!q_not_full_.wait_until(lk, deadline, [&] { return queue_.size() < cap || stop_.load(); }))
    return Push::Timeout;
  if (stop_.load()) return Push::Stopped;
  queue_.push_back(std::move(job));
  job = Job();
  lk.unlock();
  q_not_empty_.notify_one();
  return Push::Done;
}

void Trainer::add_piece(std::string&& text, uint64_t sentence_words) {
  ready_.emplace_back();
  ready_.back().text = std::move(text);
  ready_.back().sentence_words = sentence_words;
}

void Trainer::feed_bytes(const char* p, size_t n) {
  cutter_.feed(p, n, [this](std::string&& text, uint64_t words) { add_piece(std::move(text), words); });
}

void Trainer::finish_bytes() {
  cutter_.finish([this](std::string&& text, uint64_t words) { add_piece(std::move(text), words); });
}

Trainer::Push Trainer::drain(double timeout_s) {
  while (!ready_.empty()) {
    Push r = push(ready_.front(), timeout_s);
    if (r != Push::Done) return r;
    ready_.pop_front();
  }
  return Push::Done;
}

bool Trainer::pop(Job& job) {
  std::unique_lock<std::mutex> lk(q_mu_);
  q_not_empty_.wait(lk, [&] { return !queue_.empty() || closed_ || stop_.load(); });
  if (stop_.load() || queue_.empty()) return false;
  job = std::move(queue_.front());
  queue_.pop_front();
  lk.unlock();
  q_not_full_.notify_one();
  return true;
}

void Trainer::close_stream() {
  {
    std::lock_guard<std::mutex> lk(q_mu_);
    closed_ = true;
  }
  q_not_empty_.notify_all();
}

bool Trainer::wait(double timeout_s) {
  std::unique_lock<std::mutex> lk(done_mu_);
  return done_cv_.wait_for(lk, std::chrono::duration<double>(timeout_s), [&] { return running_.load() == 0; });
}

void Trainer::stop() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lk(q_mu_);
    closed_ = true;
  }
  q_not_empty_.notify_all();
  q_not_full_.notify_all();
}

void Trainer::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

EpochStats Trainer::finish_epoch() {
  join();
  chunks_.reset();
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
  EpochStats st;
  for (auto& s : slots_) {
    st.words += s->words.load();
    st.kept += s->kept.load();
    st.loss += s->scratch.loss;
    st.examples += s->scratch.examples;
  }
  return st;
}

}  // namespace fe
