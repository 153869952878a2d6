#include "sample_night/efd_topics.hpp"

#include <cmath>

namespace obsmeta::sample {

namespace {

std::vector<std::string> numbered(const std::string& stem, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(stem + std::to_string(i));
    return out;
}

// splitmix64: a message's noise is a pure function of (seed, series, tick, field).
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double unit(std::uint64_t x) { return (static_cast<double>(x >> 11) + 0.5) * 0x1.0p-53; }

double gaussian(std::uint64_t key) {  // Box–Muller
    const double u1 = unit(mix(key)), u2 = unit(mix(key ^ 0x5bd1e995ULL));
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace

std::vector<EfdSeries> efd_lsstcam_series() {
    const std::vector<std::string> axis = {"actualPosition", "demandPosition", "actualVelocity", "demandVelocity",
                                           "actualTorque"};
    std::vector<std::string> encoder = numbered("azimuthEncoderAbsolutePosition", 4);
    for (auto& f : numbered("elevationEncoderAbsolutePosition", 4)) encoder.push_back(f);
    std::vector<EfdSeries> s = {
        {"lsst.sal.MTMount.elevation", std::nullopt, 50, axis, EfdValueKind::Encoder},
        {"lsst.sal.MTMount.azimuth", std::nullopt, 50, axis, EfdValueKind::Encoder},
        {"lsst.sal.MTMount.encoder", std::nullopt, 100, encoder, EfdValueKind::Encoder},
        {"lsst.sal.MTM1M3.accelerometerData", std::nullopt, 50, numbered("accelerometer", 8), EfdValueKind::Sensor},
        {"lsst.sal.MTM1M3.appliedForces", std::nullopt, 50, {"fx", "fy", "fz", "mx", "my", "mz"}, EfdValueKind::Sensor},
    };
    for (int index : {1, 101, 102, 103, 106, 107, 108, 111, 112, 113, 301})
        s.push_back({"lsst.sal.ESS.temperature", index, 1, numbered("temperatureItem", 8), EfdValueKind::Sensor});
    s.push_back({"lsst.sal.ESS.relativeHumidity", 301, 1, {"relativeHumidityItem"}, EfdValueKind::Sensor});
    s.push_back({"lsst.sal.ESS.pressure", 301, 1, numbered("pressureItem", 2), EfdValueKind::Sensor});
    s.push_back({"lsst.sal.ESS.dewPoint", 301, 1, {"dewPointItem"}, EfdValueKind::Sensor});
    s.push_back({"lsst.sal.ESS.airTurbulence", 110, 1,
                 {"sonicTemperature", "sonicTemperatureStdDev", "speed0", "speed1", "speed2", "speedMagnitude"},
                 EfdValueKind::Sensor});
    return s;
}

std::int64_t efd_first_tick(const EfdSeries& series, std::int64_t from) {
    const std::int64_t step = 1'000'000 / series.hz;  // ticks are multiples of the cadence
    return (from >= 0 ? (from + step - 1) / step : -((-from) / step)) * step;
}

void efd_message_at(const EfdSeries& series, int series_index, std::int64_t tick, std::uint64_t seed,
                    EfdMessageState& out) {
    const std::uint64_t key = mix(seed ^ (static_cast<std::uint64_t>(series_index) << 48) ^ static_cast<std::uint64_t>(tick));
    // Each series has its own phase (topics do not publish at the same instants), fast ones jitter.
    out.t = tick + (series_index % 7) * 1000 + (series.fast() ? static_cast<std::int64_t>(mix(key) % 201) - 100 : 0);
    out.values.resize(series.fields.size());
    const double x = static_cast<double>(tick) * 1e-6;
    for (std::size_t f = 0; f < series.fields.size(); ++f) {
        const double n = gaussian(key + 1 + f);
        const double c = static_cast<double>(series_index * 8 + static_cast<int>(f));
        if (series.kind == EfdValueKind::Encoder)
            out.values[f] = 45 + 10 * std::sin(x / 3000 + c) + 1e-4 * n;
        else
            out.values[f] = static_cast<double>(static_cast<float>(10 + 0.01 * c + 0.05 * n));
    }
}

}  // namespace obsmeta::sample
