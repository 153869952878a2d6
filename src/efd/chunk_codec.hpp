// Compact encoding of one chunk of a channel's samples (a bytea in efd.chunk).
//
// Layout (version 1): a version byte, the sample count (varint), then
//   times:  first time (zigzag varint), first delta, then delta-of-deltas (zigzag varints) — a
//           regular 10–50 Hz cadence costs one byte per sample, jitter of a few ms two;
//   values: the first value's 8 bytes, then per value the XOR with the previous value's bits as a
//           control byte (leading zero bytes × 9 + significant bytes; 0 = same value) followed by the
//           significant bytes — repeated values cost 1 byte, float32-origin values ~5, noise ~8.
// Decoding validates lengths and throws ChunkFormatError on a corrupt or truncated chunk.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "efd/series.hpp"

namespace obsmeta::efd {

class ChunkFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Appends the encoding of `s` (sorted, unique times) to `out`.
void encode_chunk(SeriesView s, std::vector<uint8_t>& out);
// Appends the decoded samples to `out` (which may already hold earlier chunks).
void decode_chunk(const uint8_t* data, std::size_t size, Series& out);
// The sample count stored in a chunk's header.
std::size_t chunk_sample_count(const uint8_t* data, std::size_t size);

}  // namespace obsmeta::efd
