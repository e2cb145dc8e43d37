// The standalone runner linked instead of a fuzzing engine (EVH_FUZZ_LINKMAIN): feeds each file
// named on the command line, or each file of each directory named, to LLVMFuzzerTestOneInput
// once, so every fuzz target builds with gcc and replays its corpus as an ordinary ctest.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool run_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay_main: cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in its own allocation, so ASan sees reads past the end as libFuzzer would.
  std::vector<uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    if (!arg.empty() && arg.native()[0] == '-') continue;  // libFuzzer flags (-runs=..., -dict=...) are ignored
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(arg, ec))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());  // a stable order, so a failure names the same file
      for (const auto& f : files) {
        std::fprintf(stderr, "replay_main: %s\n", f.c_str());
        ok = run_file(f) && ok;
        ++ran;
      }
    } else if (fs::exists(arg, ec)) {
      ok = run_file(arg) && ok;
      ++ran;
    } else {
      std::fprintf(stderr, "replay_main: no such file or directory: %s\n", argv[i]);
      ok = false;
    }
  }
  if (ran == 0) {
    std::fprintf(stderr, "replay_main: no input files (usage: %s FILE|DIR ...)\n", argv[0]);
    return 2;
  }
  std::fprintf(stderr, "replay_main: %zu input(s) ran\n", ran);
  return ok ? 0 : 2;
}
