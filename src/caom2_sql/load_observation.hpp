// Loads one stored observation with all its planes, artifacts, parts and chunks (and members and
// provenance inputs) into the model, reading with the caller's privileges (row-level security
// applies). Requires an SPI connection.
#pragma once

#include "caom2/model.hpp"

#include <optional>
#include <string>

namespace obsmeta::caom2 {

// nullopt when no such observation is visible.
std::optional<Entity> load_observation(const Uuid& obs_id);
std::optional<Uuid> find_observation(const std::string& collection, const std::string& observation_id);

// The sorted member URIs of a DerivedObservation / provenance input URIs of a plane, as list values.
// read_only: inside a STABLE function (the caller's snapshot); triggers pass false so that rows
// written by the statement that fired them are seen.
Value load_members(const Uuid& obs_id, bool read_only = true);
Value load_inputs(const Uuid& plane_id, bool read_only = true);

}  // namespace obsmeta::caom2
