// word2vec C tool file formats: see w2v_format.h.
#include "w2v_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <thread>

namespace fe {
namespace {

W2VStatus fail(W2VError kind, std::string message) {
  W2VStatus s;
  s.error = kind;
  s.message = std::move(message);
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Parses a non-negative decimal integer token (an optional '+', then digits) into *out.
bool parse_count(const char* p, const char* end, int64_t* out) {
  if (p < end && *p == '+') ++p;
  if (p == end || end - p > 18) return false;  // 18 digits cannot overflow int64
  int64_t v = 0;
  for (; p < end; ++p) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return true;
}

// double -> float rounded to nearest, with overflow made explicit (a plain cast of an
// out-of-range double is undefined behaviour): beyond FLT_MAX + half an ulp is infinity.
float to_float(double v) {
  constexpr double kFltMax = std::numeric_limits<float>::max();
  constexpr double kHalfwayToInf = 3.4028235677973366e38;  // FLT_MAX + 2^103
  const double a = std::fabs(v);
  if (a >= kHalfwayToInf) return static_cast<float>(std::copysign(HUGE_VAL, v));
  if (a > kFltMax) return static_cast<float>(std::copysign(kFltMax, v));
  return static_cast<float>(v);
}

// Parses one number token [p, end) as double, rounded to float like numpy.float32(str).
bool parse_value(const char* p, const char* end, float* out) {
  if (p < end && *p == '+') {
    ++p;
    if (p == end || *p == '-' || *p == '+') return false;
  }
  double v = 0.0;
  auto r = std::from_chars(p, end, v);
  if (r.ec == std::errc() && r.ptr == end) {
    *out = to_float(v);
    return true;
  }
  if (r.ec == std::errc::result_out_of_range && r.ptr == end) {
    // from_chars leaves v untouched on overflow/underflow: strtod gives +-inf or +-0 there.
    std::string token(p, end);
    *out = to_float(std::strtod(token.c_str(), nullptr));
    return true;
  }
  return false;
}

// A short printable excerpt for error messages: ASCII only (other bytes as \xNN), so the
// message is valid UTF-8 whatever the file holds.
std::string quote(const char* p, const char* end) {
  static const char hex[] = "0123456789abcdef";
  const std::size_t n = static_cast<std::size_t>(end - p);
  std::string s = "'";
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 40); ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      s.push_back(static_cast<char>(c));
    } else {
      s += "\\x";
      s.push_back(hex[c >> 4]);
      s.push_back(hex[c & 15]);
    }
  }
  return s + (n > 40 ? "...'" : "'");
}

// Parses the values of one text row; `p` points just after the word's separating space.
bool parse_text_values(const char* p, const char* end, int64_t dim, float* out,
                       std::string* err) {
  int64_t k = 0;
  while (true) {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    if (p == end) break;
    const char* tok = p;
    while (p < end && *p != ' ' && *p != '\t') ++p;
    if (k == dim) {
      *err = "more than " + std::to_string(dim) + " values";
      return false;
    }
    if (!parse_value(tok, p, out + k)) {
      *err = "value " + std::to_string(k + 1) + " is not a number: " + quote(tok, p);
      return false;
    }
    ++k;
  }
  if (k != dim) {
    *err = "expected " + std::to_string(dim) + " values, found " + std::to_string(k);
    return false;
  }
  return true;
}

}  // namespace

W2VStatus parse_w2v_header(const char* data, std::size_t size, W2VHeader* out) {
  const char* p = data;
  const char* end = data + size;
  const char* nl = size ? static_cast<const char*>(std::memchr(data, '\n', size)) : nullptr;  // data may be null
  const char* line_end = nl ? nl : end;
  int64_t values[2] = {0, 0};
  int found = 0;
  while (true) {
    while (p < line_end && is_space(*p)) ++p;
    if (p == line_end) break;
    const char* tok = p;
    while (p < line_end && !is_space(*p)) ++p;
    if (found == 2 || !parse_count(tok, p, &values[found]))
      return fail(W2VError::kFormat,
                  "bad word2vec header (expected '<count> <dimensions>'): " + quote(data, line_end));
    ++found;
  }
  if (found != 2) {
    if (size == 0) return fail(W2VError::kTruncated, "empty file: no word2vec header");
    return fail(W2VError::kFormat,
                "bad word2vec header (expected '<count> <dimensions>'): " + quote(data, line_end));
  }
  if (values[1] < 1 || values[1] > kW2VMaxDim)
    return fail(W2VError::kFormat, "bad word2vec header: " + std::to_string(values[1]) +
                                       " dimensions (must be 1.." + std::to_string(kW2VMaxDim) +
                                       ")");
  out->count = values[0];
  out->dim = values[1];
  out->body_offset = nl ? static_cast<std::size_t>(nl - data) + 1 : size;
  return {};
}

int64_t w2v_max_records(std::size_t body_bytes, int64_t dim, bool binary) {
  if (dim < 1) return 0;
  const uint64_t bytes = body_bytes;
  const uint64_t per = binary ? 1 + 4 * static_cast<uint64_t>(dim) : 2 * static_cast<uint64_t>(dim);
  // Text: every row but the last has a newline, so n rows need n*per - 1 bytes.
  const uint64_t n = binary ? bytes / per : (bytes + 1) / per;
  return static_cast<int64_t>(std::min<uint64_t>(n, std::numeric_limits<int64_t>::max()));
}

W2VStatus scan_w2v_text(const char* data, std::size_t size, int64_t limit, int64_t* count,
                        int64_t* dim) {
  int64_t lines = 0;
  std::size_t pos = 0;
  *dim = 0;
  while (pos < size && (limit < 0 || lines < limit)) {
    const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', size - pos));
    const std::size_t line_end = nl ? static_cast<std::size_t>(nl - data) : size;
    if (lines == 0) {
      // gensim: the values are the space-separated fields after the word, trailing blanks cut.
      const char* p = data + pos;
      const char* e = data + line_end;
      while (e > p && (is_space(e[-1]) || e[-1] == '\n')) --e;
      const char* sp = static_cast<const char*>(std::memchr(p, ' ', static_cast<std::size_t>(e - p)));
      int64_t n = 0;
      if (sp) {
        const char* q = sp + 1;
        while (true) {
          while (q < e && (*q == ' ' || *q == '\t')) ++q;
          if (q == e) break;
          while (q < e && *q != ' ' && *q != '\t') ++q;
          ++n;
        }
      }
      if (n < 1 || n > kW2VMaxDim)
        return fail(W2VError::kFormat,
                    "first line has " + std::to_string(n) + " values; cannot infer dimensions");
      *dim = n;
    }
    ++lines;
    pos = line_end + 1;
  }
  if (lines == 0) return fail(W2VError::kTruncated, "empty file: no vectors");
  *count = lines;
  return {};
}

W2VStatus parse_w2v_binary(const char* data, std::size_t size, std::size_t offset, int64_t count,
                           int64_t dim, float* out, W2VWords* words, int64_t first_record,
                           bool partial, int64_t* parsed, std::size_t* end) {
  words->offsets.clear();
  words->lengths.clear();
  const std::size_t vec_bytes = 4 * static_cast<std::size_t>(dim);
  std::size_t pos = offset;
  *parsed = 0;
  *end = offset;
  for (int64_t i = 0; i < count; ++i) {
    while (pos < size && data[pos] == '\n') ++pos;  // newline the C tool writes after a vector
    const char* sp = pos < size ? static_cast<const char*>(std::memchr(data + pos, ' ', size - pos))
                                : nullptr;
    const std::size_t vec_at = sp ? static_cast<std::size_t>(sp - data) + 1 : size;
    if (!sp || size - vec_at < vec_bytes) {
      if (partial) break;  // the caller brings more bytes
      return fail(W2VError::kTruncated, "file ends inside record " + std::to_string(first_record + i + 1) +
                                            (sp ? " (in its vector)" : " (no word found)"));
    }
    const std::size_t word_len = static_cast<std::size_t>(sp - (data + pos));
    if (word_len > std::numeric_limits<uint32_t>::max())
      return fail(W2VError::kFormat, "record " + std::to_string(first_record + i + 1) + ": word too long");
    words->offsets.push_back(pos);
    words->lengths.push_back(static_cast<uint32_t>(word_len));
    std::memcpy(out + static_cast<std::size_t>(i) * static_cast<std::size_t>(dim), data + vec_at,
                vec_bytes);
    pos = vec_at + vec_bytes;
    *parsed = i + 1;
    *end = pos;
  }
  return {};
}

W2VStatus parse_w2v_text(const char* data, std::size_t size, std::size_t offset, int64_t count,
                         int64_t dim, float* out, W2VWords* words, int64_t first_line, int threads,
                         bool partial, int64_t* parsed, std::size_t* end) {
  // Pass 1 (sequential, memchr): where each row starts, so rows can be parsed in parallel.
  std::vector<std::size_t> starts;
  starts.reserve(static_cast<std::size_t>(count) + 1);
  std::size_t pos = offset;
  for (int64_t i = 0; i < count; ++i) {
    const char* nl = pos < size ? static_cast<const char*>(std::memchr(data + pos, '\n', size - pos)) : nullptr;
    if (pos >= size || (!nl && partial)) {
      if (partial) break;  // no complete line left: the caller brings more bytes
      return fail(W2VError::kTruncated, "file ends before line " + std::to_string(first_line + i) +
                                            " (fewer vectors than the header declares)");
    }
    starts.push_back(pos);
    pos = nl ? static_cast<std::size_t>(nl - data) + 1 : size;  // last line may lack its newline
  }
  const std::size_t n = starts.size();
  starts.push_back(pos);
  *parsed = static_cast<int64_t>(n);
  *end = pos;
  words->offsets.assign(n, 0);
  words->lengths.assign(n, 0);

  struct RowError {
    std::size_t row = std::numeric_limits<std::size_t>::max();
    std::string message;
  };
  auto parse_range = [&](std::size_t lo, std::size_t hi, RowError* err) {
    std::string why;
    for (std::size_t i = lo; i < hi; ++i) {
      const char* p = data + starts[i];
      const char* e = data + starts[i + 1];
      while (e > p && (is_space(e[-1]) || e[-1] == '\n')) --e;  // gensim's rstrip()
      const char* sp = static_cast<const char*>(std::memchr(p, ' ', static_cast<std::size_t>(e - p)));
      const char* word_end = sp ? sp : e;
      if (static_cast<std::size_t>(word_end - p) > std::numeric_limits<uint32_t>::max()) {
        why = "word too long";
      } else {
        words->offsets[i] = static_cast<uint64_t>(p - data);
        words->lengths[i] = static_cast<uint32_t>(word_end - p);
        if (parse_text_values(sp ? sp + 1 : e, e, dim, out + i * static_cast<std::size_t>(dim), &why))
          continue;
      }
      err->row = i;
      err->message = "line " + std::to_string(static_cast<int64_t>(i) + first_line) + ": " + why;
      return;
    }
  };

  const std::size_t max_threads = std::max<std::size_t>(1, n * static_cast<std::size_t>(dim) / 200000);
  const std::size_t t = std::min<std::size_t>(std::max(1, threads), max_threads);
  std::vector<RowError> errors(t);
  if (t == 1) {
    parse_range(0, n, &errors[0]);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t k = 0; k < t; ++k)
      pool.emplace_back(parse_range, n * k / t, n * (k + 1) / t, &errors[k]);
    for (auto& th : pool) th.join();
  }
  for (const RowError& e : errors)  // ranges are in order: the first error found is the earliest
    if (e.row != std::numeric_limits<std::size_t>::max()) return fail(W2VError::kFormat, e.message);
  return {};
}

void format_w2v_rows(const std::vector<std::string_view>& words, const float* vectors,
                     int64_t rows, int64_t dim, int64_t row_stride, bool binary, bool newline,
                     std::string* out) {
  std::size_t need = 0;
  for (int64_t r = 0; r < rows; ++r) need += words[static_cast<std::size_t>(r)].size() + 2;
  need += static_cast<std::size_t>(rows) * static_cast<std::size_t>(dim) * (binary ? 4 : 16);
  out->reserve(out->size() + need);
  char buf[64];
  for (int64_t r = 0; r < rows; ++r) {
    const float* v = vectors + r * row_stride;
    out->append(words[static_cast<std::size_t>(r)]);
    out->push_back(' ');
    if (binary) {
      out->append(reinterpret_cast<const char*>(v), 4 * static_cast<std::size_t>(dim));
      if (newline) out->push_back('\n');
    } else {
      for (int64_t k = 0; k < dim; ++k) {
        if (k) out->push_back(' ');
        auto res = std::to_chars(buf, buf + sizeof(buf), v[k]);  // shortest round-trip form
        out->append(buf, static_cast<std::size_t>(res.ptr - buf));
      }
      out->push_back('\n');
    }
  }
}

}  // namespace fe
