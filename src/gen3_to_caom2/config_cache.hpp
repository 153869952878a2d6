// Which instruments and dataset types obsmeta is configured for, cached per backend so that the
// capture trigger validates rows without a query. Edits of the configuration tables invalidate
// every backend's cache (a statement trigger sends a relcache invalidation on commit).
#pragma once

#include <map>
#include <set>
#include <string>

namespace obsmeta::gen3_to_caom2 {

struct DatasetTypeRule {
    bool publish = false;
    std::string observation_level;  // 'exposure' | 'visit' | 'coadd' when published
};

struct Configuration {
    std::set<std::string> instruments;
    std::map<std::string, DatasetTypeRule> dataset_types;
};

const Configuration& configuration();  // loads on first use after an invalidation
void register_configuration_invalidation();

}  // namespace obsmeta::gen3_to_caom2
