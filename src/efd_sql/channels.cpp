#include "efd_sql/channels.hpp"

#include "pg/spi.hpp"

namespace obsmeta::efd_sql {

ChannelCache& channels() {
    static ChannelCache cache;
    return cache;
}

std::string ChannelCache::key(const std::string& topic, const std::string& field, std::optional<int32_t> sal_index) {
    std::string k = topic;
    k += '\x1f';
    k += field;
    k += '\x1f';
    if (sal_index) k += std::to_string(*sal_index);
    return k;
}

void ChannelCache::load() {
    static pg::KeptPlan plan(
        "SELECT id, topic, field, sal_index, "
        "       coalesce(chunk_seconds, CASE kind WHEN 'fast' THEN 10 ELSE 600 END)::int8 * 1000000 "
        "  FROM efd.channel",
        {});
    pg::SpiConnection spi;
    uint64 n = plan.execute({});
    by_id_.clear();
    by_name_.clear();
    for (uint64 i = 0; i < n; ++i) {
        ChannelInfo c;
        bool isnull = false;
        c.id = DatumGetInt32(pg::result_value(i, 1, &isnull));
        c.topic = pg::result_text(i, 2);
        c.field = pg::result_text(i, 3);
        Datum s = pg::result_value(i, 4, &isnull);
        if (!isnull) c.sal_index = DatumGetInt32(s);
        c.chunk_us = pg::result_int64(i, 5);
        by_name_[key(c.topic, c.field, c.sal_index)] = c.id;
        by_id_[c.id] = std::move(c);
    }
    loaded_ = true;
}

const ChannelInfo* ChannelCache::by_id(int32_t id) {
    if (!loaded_) load();
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        load();
        it = by_id_.find(id);
        if (it == by_id_.end()) return nullptr;
    }
    return &it->second;
}

const ChannelInfo* ChannelCache::by_name(const std::string& topic, const std::string& field,
                                         std::optional<int32_t> sal_index) {
    if (!loaded_) load();
    std::string k = key(topic, field, sal_index);
    auto it = by_name_.find(k);
    if (it == by_name_.end()) {
        load();
        it = by_name_.find(k);
        if (it == by_name_.end()) return nullptr;
    }
    return by_id(it->second);
}

}  // namespace obsmeta::efd_sql
