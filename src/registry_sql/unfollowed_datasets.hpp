// The registry datasets obsmeta does not follow: their dataset type is not in
// obsmeta.dataset_type_config, so the translation would join them away (translate.cpp). Most of a
// registry night's rows are such sibling products (backgrounds, masks, catalogues); the capture
// trigger drops their new rows at once (dataset, tags and datastore record), so they cost nothing
// beyond the trigger call: no key recorded, no translation statement reads them.
// Per transaction: the dataset type names looked up (one query per type and transaction, dropped
// when a dataset_type row changes) and the ids of the datasets dropped, so that their tags and
// datastore rows, which come after them, are dropped too.
#pragma once

#include "pg/datum.hpp"

#include <cstdint>
#include <set>
#include <string>

namespace obsmeta::registry_sql {

// Whether datasets of registry dataset type `dataset_type_id` in `schema` are translated (a type
// the registry does not hold yet counts as followed: the translation decides at commit).
bool dataset_type_followed(const std::string& schema, int64_t dataset_type_id);

// A dataset row inserted with a type not followed (its later tags and datastore rows are dropped
// too), and whether a dataset id was so dropped in this transaction.
void dataset_dropped(const pg::Uuid& id);
bool was_dropped(const pg::Uuid& id);
// A dataset row that is recorded after all (updated, deleted): its rows are recorded again.
void dataset_recorded(const pg::Uuid& id);

// A dataset_type row of `schema` changed: its names are looked up again.
void dataset_types_changed(const std::string& schema);

// At commit and abort.
void forget_unfollowed_datasets();

}  // namespace obsmeta::registry_sql
