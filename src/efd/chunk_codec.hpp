// Compact encoding of one chunk of a channel's samples (a bytea in efd.chunk).
//
// Version 2 (written): a version byte, the sample count n (varint), then
//   times:  the first time (zigzag varint), the first delta (zigzag varint), then the n-2
//           delta-of-deltas (zigzag) bit-packed in blocks of 128: one width byte (0..64 bits) and
//           the block's values at that width — a steady cadence costs 0 bits per sample, jitter of
//           ±100 µs about 10;
//   values: the first value's 8 bytes, then the n-1 others against their predecessors in blocks of
//           128: a mode byte (bit 7: differences of the bits as integers, zigzag, else XORs of the
//           bits; bits 0-5: the block's common trailing zero bits, shifted out), a width byte and the
//           block's values at that width; the encoder takes whichever mode is narrower. Repeated
//           values cost 0 bits, float32-origin sensors ~20, noisy doubles ~35-40.
//   Fixed widths per block decode without branches per sample (a few ns per sample at most).
// Version 1 (still read): delta-of-delta zigzag varints, then per value a control byte (leading
// zero bytes × 9 + significant bytes) and the significant bytes of the XOR.
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

// Appends the encoding of `s` (sorted, unique times) to `out` (version 2).
void encode_chunk(SeriesView s, std::vector<uint8_t>& out);
// The same in the older version 1 format (kept for tests of reading old chunks).
void encode_chunk_v1(SeriesView s, std::vector<uint8_t>& out);
// The sample count stored in a chunk's header.
std::size_t chunk_sample_count(const uint8_t* data, std::size_t size);
// Decodes exactly chunk_sample_count(data, size) samples into t[] and v[]. Throws ChunkFormatError
// on corrupt input, including times that are not strictly increasing.
void decode_chunk_to(const uint8_t* data, std::size_t size, int64_t* t, double* v);
// Decodes only the values (the times are skipped, not checked): chunk_sample_count values into v[].
void decode_chunk_values(const uint8_t* data, std::size_t size, double* v);
// Appends the decoded samples to `out` (which may already hold earlier chunks).
void decode_chunk(const uint8_t* data, std::size_t size, Series& out);
void decode_chunk(const uint8_t* data, std::size_t size, SampleBuffer& out);

}  // namespace obsmeta::efd
