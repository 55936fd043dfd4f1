// The Hogwild trainer: worker std::threads update the shared matrices without locks.  The
// calling thread starts an epoch, feeds it (stream mode) or just waits (file mode), reads
// progress from atomics, and can stop it at any time; a worker's exception stops the others
// and is re-thrown to the caller by finish_epoch().
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aligned.h"
#include "file_chunks.h"
#include "huffman.h"
#include "input_rows.h"
#include "kernel_choice.h"
#include "kernels/kernel_api.h"
#include "sampling.h"
#include "stream_cutter.h"
#include "text.h"
#include "tokenizer.h"
#include "vocab.h"

namespace fe {

// Everything a training run is configured with.  The kernel's own settings are a base, so
// they reach the kernels in one copy.
struct TrainConfig : KernelSettings {
  int workers = 3;
  double sample = 1e-3, ns_exponent = 0.75, alpha = 0.025, min_alpha = 0.0001;
  uint64_t seed = 1;
  // In-vocabulary words this trainer will see over all its epochs: the learning rate decays
  // linearly from alpha to min_alpha over them.
  uint64_t expected_words = 0;
  Utf8Policy utf8 = Utf8Policy::Replace;
  uint64_t file_chunk_bytes = 0;  // 0: chosen from the file size and workers
  int max_tags = 0;  // document models: the most tags a document has (scratch sizes)
};

// The model's matrices, owned by the caller; rows are `stride` floats, 64-byte aligned.
struct Matrices {
  float* syn0 = nullptr;      // input_rows rows
  float* syn1neg = nullptr;   // one row per vocabulary word
  float* syn1 = nullptr;      // one row per inner Huffman node (words - 1)
  size_t input_rows = 0;
  int stride = 0;
  const InputRowTable* input = nullptr;  // null: word t trains input row t
  const float* lockf = nullptr;          // input_rows factors, or null (all 1)
  float* doc0 = nullptr;                 // document models: doc_rows tag vectors
  size_t doc_rows = 0;
  const float* doc_lockf = nullptr;      // doc_rows factors, or null (all 1)
};

// A batch of sentences of word ids (out-of-vocabulary words already dropped), or raw text
// for the worker to tokenise.
struct Job {
  std::vector<int32_t> ids;
  std::vector<uint32_t> ends;  // sentence i is ids[ends[i-1] .. ends[i])
  // Document models: sentence i's tag rows are tags[tag_ends[i-1] .. tag_ends[i]) (empty:
  // no tags, the word models).
  std::vector<int32_t> tags;
  std::vector<uint32_t> tag_ends;
  // Optional: sentence i restarts the thread's random stream from seeds[i], so its result does
  // not depend on which thread trains it (inference, where nothing shared is written).
  std::vector<uint64_t> seeds;
  std::string text;            // raw bytes ending at a word boundary (stream of bytes)
  uint64_t sentence_words = 0;  // words of text's first sentence that came before it
  void clear() {
    ids.clear();
    ends.clear();
    tags.clear();
    tag_ends.clear();
    seeds.clear();
    text.clear();
  }
  void end_sentence() {
    if (ids.size() && (ends.empty() || ends.back() != ids.size())) ends.push_back(static_cast<uint32_t>(ids.size()));
  }
};

// Thrown by a worker when the kernels saw wild scores (see kWildScore): the weights blew up.
struct TrainingDiverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct EpochStats {
  uint64_t words = 0;      // in-vocabulary words read
  uint64_t kept = 0;       // words left after sub-sampling
  double loss = 0;         // summed over threads, float64
  uint64_t examples = 0;   // output predictions the loss sums over
};

class Trainer {
 public:
  // `kernels` null: the pinned kernels, or the ones measured fastest for this shape
  // (kernel_choice.h).
  Trainer(const Vocab& vocab, const TrainConfig& cfg, const Matrices& mats, const KernelSet* kernels = nullptr);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  void start_file_epoch(const std::string& path);
  // Stream mode: batches pushed by the caller, or raw bytes cut into sentences by `rule`.
  void start_stream_epoch(SentenceRule rule = {});
  enum class Push { Done, Timeout, Stopped };
  // Hands a batch to the workers, waiting at most `timeout_s` for room.
  Push push(Job& job, double timeout_s);
  // Stream of raw bytes (a decompressed file): feed_bytes() cuts it into pieces the workers
  // tokenise (see StreamCutter; never blocks), finish_bytes() ends a file, and drain() queues
  // the cut pieces, returning Timeout when the queue stayed full; call it again to go on.
  void feed_bytes(const char* p, size_t n);
  void finish_bytes();
  Push drain(double timeout_s);
  // No more batches this epoch.
  void close_stream();
  // True once every worker of the epoch has finished.
  bool wait(double timeout_s);
  // Joins the workers and returns the epoch's figures; re-throws a worker's exception.
  EpochStats finish_epoch();
  // Asks the workers to stop as soon as possible (within one block of words).
  void stop();
  bool stopped() const { return stop_.load(); }

  uint64_t words_done() const;  // in-vocabulary words processed so far, all epochs
  double epoch_loss() const;    // running loss of the current epoch
  double alpha() const;
  // Between epochs: train at this constant rate from now on (inference's per-epoch schedule).
  void set_learning_rate(double alpha);
  const char* kernel_name() const { return kernels_->name; }
  // The calibration behind an `auto` choice: each candidate's best time, widest first.
  const std::vector<std::pair<std::string, double>>& kernel_seconds() const { return choice_.seconds; }
  // Trains one block of words on the calling thread with the first worker's scratch and
  // returns the seconds it took: the calibration's measurement.
  double time_block(const std::vector<int32_t>& words);

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> words{0};  // this epoch
    std::atomic<uint64_t> kept{0};
    std::atomic<double> loss{0};
    std::unique_ptr<int32_t[], FreeDeleter> kept_buf, ctx, outputs, ahead;
    std::unique_ptr<float[], FreeDeleter> labels, err, hidden, scores, coef, in_scale, composed;
    std::unique_ptr<float[], FreeDeleter> hot, hot_snap;  // see KernelModel::hot_rows
    std::unique_ptr<float*[], FreeDeleter> in_rows, out_rows;
    KernelScratch scratch{};
  };
  void worker(size_t tid);
  void count_chunk_lines();
  void run_job(Slot& slot, const Job& job, uint64_t& pending);
  [[noreturn]] void throw_diverged(float alpha) const;
  void load_hot(Slot& slot) const;
  void tokenize_job(const Job& raw, Job& out, std::string& scratch) const;
  void add_piece(std::string&& text, uint64_t sentence_words);  // a cut piece, to be queued
  void flush_progress(uint64_t& pending);
  bool pop(Job& job);
  void launch();
  void join();
  int32_t lookup(std::string_view w, bool high, std::string& scratch) const;

  const Vocab& vocab_;
  TrainConfig cfg_;
  Matrices mats_;
  const KernelSet* kernels_;
  KernelChoice choice_;
  std::vector<uint64_t> keep_;
  AliasTable alias_;
  HuffmanTree huffman_;
  std::vector<float> sigmoid_;
  KernelModel km_{};
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;

  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> global_words_{0};  // flushed every ~10k words: drives the learning rate
  std::atomic<size_t> running_{0};
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::mutex err_mu_;
  std::exception_ptr error_;

  // File mode.
  std::unique_ptr<FileChunks> chunks_;
  std::atomic<uint64_t> next_chunk_{0};
  std::vector<uint64_t> chunk_lines_;  // document models: newlines before each chunk
  // Stream mode.
  std::mutex q_mu_;
  std::condition_variable q_not_empty_, q_not_full_;
  std::deque<Job> queue_;
  bool closed_ = false;
  StreamCutter cutter_;
  std::deque<Job> ready_;  // cut, waiting for room in the queue
};

}  // namespace fe
