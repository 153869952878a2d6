// encode -> decode of arbitrary sample series (sorted, unique int64 times; any float8 bits, NaN
// payloads and -0 included) must be lossless, in both chunk format versions.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "efd/chunk_codec.hpp"

using namespace obsmeta::efd;

namespace {
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
double double_of(uint64_t u) {
    double d;
    std::memcpy(&d, &u, 8);
    return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const int time_mode = in.ConsumeIntegralInRange(0, 2);
    const int value_mode = in.ConsumeIntegralInRange(0, 2);
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 4000);
    std::vector<int64_t> times;
    times.reserve(n);
    int64_t t = in.ConsumeIntegral<int64_t>();
    const int64_t cadence = in.ConsumeIntegralInRange<int64_t>(1, 1000000);
    for (std::size_t i = 0; i < n; ++i) {
        if (time_mode == 0) {  // anything: extreme spans and deltas
            times.push_back(in.ConsumeIntegral<int64_t>());
        } else {  // a cadence with jitter (0: steady)
            const int64_t jitter = time_mode == 1 ? 0 : in.ConsumeIntegralInRange<int64_t>(-cadence / 2, cadence / 2);
            times.push_back(t);
            const int64_t step = std::max<int64_t>(1, cadence + jitter);
            if (t > INT64_MAX - step) break;
            t += step;
        }
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());

    Series s;
    double v = double_of(in.ConsumeIntegral<uint64_t>());
    for (int64_t time : times) {
        if (value_mode == 0) {
            v = double_of(in.ConsumeIntegral<uint64_t>());  // any bits
        } else if (value_mode == 1) {
            v = static_cast<float>(in.ConsumeFloatingPointInRange<float>(-1e4f, 1e4f));  // float32 sensor
        } else if (in.ConsumeBool()) {
            v += in.ConsumeFloatingPointInRange(-1.0, 1.0);  // smooth
        }
        s.push(time, v);
    }

    for (bool v1 : {false, true}) {
        std::vector<uint8_t> chunk;
        (v1 ? encode_chunk_v1 : encode_chunk)(s.view(), chunk);
        FUZZ_CHECK(chunk_sample_count(chunk.data(), chunk.size()) == s.size(), "v%d header count", v1 ? 1 : 2);
        Series back;
        try {
            decode_chunk(chunk.data(), chunk.size(), back);
        } catch (const ChunkFormatError& e) {
            FUZZ_CHECK(false, "v%d chunk of %zu samples (times %lld .. %lld) does not decode: %s", v1 ? 1 : 2,
                       s.size(), static_cast<long long>(s.t.front()), static_cast<long long>(s.t.back()), e.what());
        }
        FUZZ_CHECK(back.t == s.t, "v%d times differ", v1 ? 1 : 2);
        FUZZ_CHECK(same_bits(back.v, s.v), "v%d values differ",
                   v1 ? 1 : 2);
        std::vector<double> values(s.size());
        decode_chunk_values(chunk.data(), chunk.size(), values.data());
        FUZZ_CHECK(same_bits(values, s.v), "v%d values-only differ",
                   v1 ? 1 : 2);
    }
    return 0;
}
