#include "efd_sql/embargo.hpp"

#include <algorithm>

#include "efd_sql/owner.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"

namespace obsmeta::efd_sql {

HiddenTimes HiddenTimes::for_caller(int64_t from, int64_t to) {
    HiddenTimes h;
    static pg::KeptPlan sees_everything("SELECT obsmeta.sees_everything()", {});
    sees_everything.execute({}, true);
    if (SPI_processed == 1 && pg::result_bool(0, 1)) return h;
    // Unbounded ends of a span (an image with an open timespan) hide everything on that side.
    static pg::KeptPlan spans(
        "SELECT coalesce(lower(s), '-infinity'), coalesce(upper(s), 'infinity') "
        "FROM efd.hidden_spans(tstzrange($1, $2, '[]')) s ORDER BY 1",
        {TIMESTAMPTZOID, TIMESTAMPTZOID});
    AsEfdOwner owner;
    uint64 n = spans.execute({TimestampTzGetDatum(from), TimestampTzGetDatum(to)}, true);
    for (uint64 i = 0; i < n; ++i) {
        bool isnull = false;
        int64_t a = DatumGetTimestampTz(pg::result_value(i, 1, &isnull));
        int64_t b = DatumGetTimestampTz(pg::result_value(i, 2, &isnull));
        if (!h.spans_.empty() && a <= h.spans_.back().to)
            h.spans_.back().to = std::max(h.spans_.back().to, b);
        else
            h.spans_.push_back({a, b});
    }
    return h;
}

bool HiddenTimes::contains(int64_t t) const {
    auto it = std::upper_bound(spans_.begin(), spans_.end(), t, [](int64_t x, const Span& s) { return x < s.from; });
    return it != spans_.begin() && t <= std::prev(it)->to;
}

}  // namespace obsmeta::efd_sql
