// Runs a fuzz target over the files of a corpus directory (the checked-in
// seeds and minimised finds), so that CI replays them as a unit test
// without clang or libFuzzer.  Exit status 0 if every input ran; a
// property violation aborts as it does under the fuzzer.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv)
{
    size_t n = 0;
    for (int i = 1; i < argc; ++i) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(argv[i]))
            if (e.is_regular_file())
                files.push_back(e.path());
        for (const auto& p : files) {
            std::ifstream in(p, std::ios::binary);
            std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
            LLVMFuzzerTestOneInput(data.data(), data.size());
            ++n;
        }
    }
    std::printf("replayed %zu inputs\n", n);
    return n ? 0 : 1;
}
