// Decoding arbitrary bytes as a stored EFD chunk (efd.chunk is writable by the EFD owner and comes
// back through dump/restore): ChunkFormatError or samples with strictly increasing times; the
// values-only decoder agrees, and the samples re-encode to a chunk that decodes to the same bits.
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "efd/chunk_codec.hpp"

using namespace obsmeta::efd;

namespace {
bool same_bits(const std::vector<double>& a, const double* b, std::size_t n) {
    return a.size() == n && (n == 0 || std::memcmp(a.data(), b, n * sizeof(double)) == 0);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Series s;
    try {
        decode_chunk(data, size, s);
    } catch (const ChunkFormatError&) {
        FUZZ_CHECK(s.size() == 0, "a failed decode left %zu samples", s.size());
        return 0;
    }
    const std::size_t n = s.size();
    FUZZ_CHECK(n == chunk_sample_count(data, size), "decoded %zu samples, header says otherwise", n);
    for (std::size_t i = 1; i < n; ++i) FUZZ_CHECK(s.t[i] > s.t[i - 1], "times not increasing at %zu", i);

    std::vector<double> values(n);
    decode_chunk_values(data, size, values.data());
    FUZZ_CHECK(same_bits(s.v, values.data(), n), "values-only decode differs");

    SampleBuffer buffer;
    decode_chunk(data, size, buffer);
    FUZZ_CHECK(buffer.size() == n && std::equal(s.t.begin(), s.t.end(), buffer.times()) &&
                   same_bits(s.v, buffer.values(), n),
               "SampleBuffer decode differs");

    for (bool v1 : {false, true}) {
        std::vector<uint8_t> chunk;
        (v1 ? encode_chunk_v1 : encode_chunk)(s.view(), chunk);
        Series back;
        decode_chunk(chunk.data(), chunk.size(), back);
        FUZZ_CHECK(back.t == s.t && same_bits(s.v, back.v.data(), back.size()), "re-encoded (v%d) chunk differs",
                   v1 ? 1 : 2);
    }
    return 0;
}
