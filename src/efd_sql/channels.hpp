// The backend's copy of efd.channel: ids by (topic, field, sal_index) for the ingest trigger, and
// each channel's chunk length and field name. Reloaded at the first use in each statement and when
// a lookup misses (a channel registered a moment ago).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace obsmeta::efd_sql {

struct ChannelInfo {
    int32_t id = 0;
    std::string topic, field;
    std::optional<int32_t> sal_index;
    int64_t chunk_us = 0;  // chunk length in microseconds
};

class ChannelCache {
public:
    // Marks the cache stale; the next lookup reloads it.
    void invalidate() { loaded_ = false; }
    const ChannelInfo* by_id(int32_t id);
    const ChannelInfo* by_name(const std::string& topic, const std::string& field, std::optional<int32_t> sal_index);

private:
    void load();
    static std::string key(const std::string& topic, const std::string& field, std::optional<int32_t> sal_index);

    bool loaded_ = false;
    std::unordered_map<int32_t, ChannelInfo> by_id_;
    std::unordered_map<std::string, int32_t> by_name_;
};

ChannelCache& channels();

}  // namespace obsmeta::efd_sql
