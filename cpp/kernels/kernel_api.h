// The interface between the trainer and its instruction-set-specific kernels.  Only plain
// types cross it: every kernel translation unit is compiled with its own -m flags, and sharing
// inline C++ templates between such units would let the linker pick an AVX copy for the
// scalar path.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fe {

// How a centre word and its context are trained: picked once per block (see train_block).
//  - SkipGramShared: the context words of one centre word form a mini-batch sharing one draw
//    of outputs (fastembed's default skip-gram);
//  - SkipGramPerPair: one (context, centre) pair at a time with fresh negatives per pair (the
//    C tool's order);
//  - Cbow: the mean (or sum) of the context inputs predicts the centre word.
//  - PvDbow: each of a document's tag rows predicts each of its words (Le & Mikolov's PV-DBOW,
//    gensim's dm=0), optionally with skip-gram word training interleaved (dbow_words);
//  - PvDm: CBOW whose inputs are the context words plus the document's tag rows (PV-DM).
//  - SkipGramCentre: skip-gram in fastText's orientation: the centre word's input vector (for a
//    subword model, the mean of its n-gram rows) is composed once and predicts each context
//    word with fresh negatives per pair; its error is summed over the pairs and sent back once.
// Tag rows live in their own matrix (KernelModel::doc0); the block's document is in the scratch.
enum class Arch : int32_t {
  SkipGramShared = 0, SkipGramPerPair = 1, Cbow = 2, PvDbow = 3, PvDm = 4, SkipGramCentre = 5
};

// The settings a kernel reads, as one plain struct: the trainer's config carries it whole and
// the kernel model receives it in one copy, so no field is restated on the way down.
struct KernelSettings {
  Arch arch = Arch::Cbow;
  bool hs = false;
  int negative = 5;
  int window = 5;
  bool shrink_windows = true;
  bool cbow_mean = true;
  bool compute_loss = false;
  bool exact_sigmoid = false;
  bool train_outputs = true;  // false: output rows stay fixed (inferring a document's vector)
  bool dbow_words = false;    // PvDbow: also train word vectors by skip-gram
};

// A token's input rows of syn0 (fastText's getSubwords idea): token t trains rows
// rows[offsets[t] .. offsets[t + 1]), whose mean is its input vector; the error goes back to
// each of them.  A null table means the identity (token t is row t), the word2vec fast path.
struct InputTable {
  const uint64_t* offsets = nullptr;  // vocab_size + 1 entries, non-decreasing
  const int32_t* rows = nullptr;      // row ids < the input matrix's rows
  int max_rows = 1;                   // the most rows any token has (scratch sizes)
};

struct KernelModel {
  float* syn0;     // input vectors, rows of `stride` floats (stride % 16 == 0, zero padding)
  float* syn1neg;  // output vectors for negative sampling (or null)
  float* syn1;     // inner-node vectors for hierarchical softmax (or null)
  int stride;
  KernelSettings set;
  InputTable input;
  // Per input row learning-rate factor (1 = train, 0 = frozen: the row is never written,
  // between = a scaled step); null = 1 for every row.
  const float* lockf;
  // Document tag vectors (PvDbow, PvDm): rows of `stride` floats, with their own lock factors
  // (null = 1).  Null for the word models.
  float* doc0;
  const float* doc_lockf;
  // Sub-sampling: keep word w iff a 32-bit uniform draw < keep_threshold[w] (2^32 = always).
  const uint64_t* keep_threshold;
  // Negative sampling alias table: per word {threshold, alias} pairs.
  const uint32_t* alias_cells;
  uint32_t vocab_size;
  // Hierarchical softmax paths (see huffman.h).
  const uint64_t* hs_offsets;
  const uint8_t* hs_codes;
  const int32_t* hs_points;
  const float* sigmoid_table;  // kSigmoidTableSize entries over [-kMaxExp, kMaxExp]
  // Hierarchical softmax with several threads: the inner nodes nearest the root are on almost
  // every word's path, so every thread would write their syn1 rows all the time and each write
  // pulls the cache lines to the writer's core.  Rows [hot_begin, hot_begin + hot_rows) (the
  // heaviest nodes: Huffman creates them last) are trained in a per-thread copy instead,
  // merged into syn1 every hot_period centre words.  hot_rows = 0: off.
  int hot_begin, hot_rows, hot_period;
};

constexpr int kSigmoidTableSize = 1024;
constexpr float kMaxExp = 6.0f;  // the C tool's MAX_EXP: scores beyond it are clipped
// A score this large means the weights have blown up (a learning rate far too high, or
// non-finite weights).  Trained models stay within tens (a 300-d skip-gram at alpha 0.2, 8x the
// default, reached 2e3); once weights diverge they grow geometrically, so a generous limit
// costs only a few steps of detection.  Counted, never trained on silently.
constexpr float kWildScore = 1e6f;

// Per-thread scratch: buffers sized by the trainer, the random state and the loss tally.
struct KernelScratch {
  uint64_t rng;
  double loss;        // float64 tally of this thread's loss (when compute_loss)
  uint64_t examples;  // (input, output) pairs trained, for the loss average
  uint64_t wild_scores;  // scores that were NaN, infinite or beyond kWildScore (divergence)
  const int32_t* tags;   // the current block's document: its rows of doc0
  int ntags;             // how many (0 for the word models)
  int32_t* kept;      // capacity: the longest block the trainer hands over
  int32_t* ctx;       // capacity: 2 * window
  int32_t* outputs;   // capacity: negative + 1 + the deepest Huffman path
  float* labels;      // same capacity as outputs
  float* scores;      // outputs capacity * max(2 * window, 1)
  float* coef;        // max(outputs capacity, 2 * window)
  float** in_rows;    // 2 * window * input.max_rows
  float* in_scale;    // same capacity: each input row's step factor (CBOW's flattened rows)
  float* composed;    // 2 * window * stride floats, 64-byte aligned: tokens' mean input vectors
  float** out_rows;   // outputs capacity
  float* err;         // 2 * window * stride floats (at least stride), 64-byte aligned
  float* hidden;      // stride floats, 64-byte aligned
  float* hot;         // hot_rows * stride floats: this thread's copy of the hot syn1 rows
  float* hot_snap;    // those rows as they were in syn1 at the last merge
  int hot_since;      // centre words trained since the last merge
  // Negative sampling: draws made kNegativesAhead centre words before their use, so their rows
  // can be prefetched.  kNegativesAhead * negative ids; ahead_ready = 0 until first filled.
  int32_t* ahead;
  int ahead_pos, ahead_ready;
};

// How many centre words ahead negatives are drawn (see KernelScratch::ahead).
constexpr int kNegativesAhead = 2;

struct KernelSet {
  const char* name;
  // Sub-samples one sentence block of in-vocabulary word ids and trains on it; returns
  // the number of words kept.
  size_t (*train_block)(const KernelModel& m, KernelScratch& s, const int32_t* words, size_t n,
                        float alpha);
  float (*dot)(const float* a, const float* b, int n);          // n % 16 == 0
  void (*axpy)(float a, const float* x, float* y, int n);       // y += a * x
  // Merges the thread's copy of the hot syn1 rows into syn1 and refreshes it from there.
  void (*merge_hot)(const KernelModel& m, KernelScratch& s);
  // The negatives the trainer would use for centre word w (drawn ahead, or now for the
  // per-pair skip-gram): written to s.outputs, returns how many.  For tests.
  int (*negatives_for)(const KernelModel& m, KernelScratch& s, int32_t w, int ahead);
};

extern const KernelSet kKernelsScalar;
#if FASTEMBED_HAVE_X86_KERNELS
extern const KernelSet kKernelsAvx2;
extern const KernelSet kKernelsAvx512;
#endif

}  // namespace fe
