// The EFD embargo for raw samples: a caller who does not see everything (readers) receives no
// sample taken while an image they may not see was being taken (efd.hidden_spans,
// schema/60_efd/60_efd.sql). Reduced values are filtered by the row-level security of efd.*_values.
#pragma once


#include <cstdint>
#include <vector>


namespace obsmeta::efd_sql {

// Closed time intervals (microseconds since 2000-01-01, PostgreSQL's timestamptz), sorted and
// disjoint.
class HiddenTimes {
public:
    // Nothing hidden.
    HiddenTimes() = default;
    // The hidden times within [from, to] for the current caller: nothing for those who see
    // everything (staff, writers, superusers). Needs an SPI connection; reads as the efd owner.
    static HiddenTimes for_caller(int64_t from, int64_t to);
    bool contains(int64_t t) const;
    std::size_t size() const { return spans_.size(); }

private:
    struct Span {
        int64_t from, to;
    };
    std::vector<Span> spans_;
};

}  // namespace obsmeta::efd_sql
