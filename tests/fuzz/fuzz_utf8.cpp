// Fuzz target: fix_utf8 / is_valid_utf8 on arbitrary bytes against the reference decoder (the
// Unicode standard's well-formed table, one U+FFFD per maximal subpart, as Python decodes).
// Input: the bytes, all of them.
#include <stdexcept>

#include "fuzz_common.h"
#include "text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  std::string ref;
  const bool valid = fuzz::ref_fix_utf8(s, 2, ref);
  FUZZ_CHECK(fe::is_valid_utf8(s) == valid);
  if (valid) FUZZ_CHECK(ref == s);

  bool threw = false;
  try {
    FUZZ_CHECK(fe::fix_utf8(s, fe::Utf8Policy::Strict) == s);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  FUZZ_CHECK(threw == !valid);

  for (int mode : {0, 1}) {
    const std::string got = fe::fix_utf8(s, static_cast<fe::Utf8Policy>(mode));
    fuzz::ref_fix_utf8(s, mode, ref);
    FUZZ_CHECK(got == ref);
    FUZZ_CHECK(fe::is_valid_utf8(got));
    FUZZ_CHECK(fe::fix_utf8(got, static_cast<fe::Utf8Policy>(mode)) == got);  // idempotent
  }
  return 0;
}
