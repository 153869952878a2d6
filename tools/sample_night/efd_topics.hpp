// A night of EFD telemetry shaped as the EFD is: SAL topics whose fields share one timestamp per
// message (lsst.sal.MTMount.elevation carries actualPosition, demandPosition, … in each message),
// indexed CSCs (ESS) publishing one instance per salIndex, fast topics at 50–100 Hz with the
// sender's jitter, slow ones at 1 Hz. Topic and field names are the real ones that Rubin's
// transformed-EFD configuration reads (consdb config_lsstcam.yaml); rates are the order of the
// real ones (SQR-085). Deterministic: a message's values depend only on the seed, the series and
// its time, so any writer can generate any slice of it independently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace obsmeta::sample {

enum class EfdValueKind {
    Encoder,  // a double moving slowly with small noise (positions, velocities, torques)
    Sensor,   // a float32 reading (temperatures, accelerations, pressures), widened to double
};

// One stream of messages: a topic, and its salIndex for indexed CSCs.
struct EfdSeries {
    std::string topic;
    std::optional<int> sal_index;
    int hz = 1;
    std::vector<std::string> fields;
    EfdValueKind kind = EfdValueKind::Sensor;
    bool fast() const { return hz >= 10; }
};

// The modelled night's series: 5 fast topics (32 fields, 2,000 samples/s) and 15 slow topic
// instances (98 fields at 1 Hz).
std::vector<EfdSeries> efd_lsstcam_series();

// Calls f(t, values) for every message of `series` (index `series_index` in its list) whose tick
// (its nominal time) is in [from, to) (UTC µs since the Unix epoch); values has
// series.fields.size() entries. Fast series carry ±100 µs of jitter around their tick, so t may
// fall just outside [from, to): consecutive slices still hold every message exactly once.
template <class F>
void efd_messages(const EfdSeries& series, int series_index, std::int64_t from, std::int64_t to, std::uint64_t seed,
                  F&& f);

// What efd_messages is built from (exposed for the template).
struct EfdMessageState {
    std::int64_t t = 0;
    std::vector<double> values;
};
std::int64_t efd_first_tick(const EfdSeries& series, std::int64_t from);
void efd_message_at(const EfdSeries& series, int series_index, std::int64_t tick, std::uint64_t seed,
                    EfdMessageState& out);

template <class F>
void efd_messages(const EfdSeries& series, int series_index, std::int64_t from, std::int64_t to, std::uint64_t seed,
                  F&& f) {
    const std::int64_t step = 1'000'000 / series.hz;
    EfdMessageState m;
    for (std::int64_t tick = efd_first_tick(series, from); tick < to; tick += step) {
        efd_message_at(series, series_index, tick, seed, m);
        f(m.t, m.values);
    }
}

}  // namespace obsmeta::sample
