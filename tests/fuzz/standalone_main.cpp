// A main() that replays inputs through a fuzz target without libFuzzer, so the regression
// files and seeds run under g++'s sanitizers (tests/sanitize/run.sh) even without clang.
// Arguments: files or folders of inputs.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int run_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string s = ss.str();
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  return 0;
}

int main(int argc, char** argv) {
  int runs = 0, errors = 0;
  for (int a = 1; a < argc; ++a) {
    struct stat st;
    if (stat(argv[a], &st) != 0) continue;  // an absent folder holds no inputs
    if (!S_ISDIR(st.st_mode)) {
      errors += run_file(argv[a]);
      ++runs;
      continue;
    }
    DIR* d = opendir(argv[a]);
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || name[0] == '.') continue;
      errors += run_file(std::string(argv[a]) + "/" + name);
      ++runs;
    }
    closedir(d);
  }
  // The empty input too (as a null pointer: the core must not pass it to memchr and the like).
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("%s: replayed %d inputs\n", argv[0], runs + 1);
  return errors ? 1 : 0;
}
