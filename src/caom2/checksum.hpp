// CAOM-2.4 metaChecksum and accMetaChecksum exactly as opencadc computes them (caom2 Java library
// ca.nrc.cadc.caom2.CaomEntity.calcMetaChecksum / calcAccMetaChecksum; caom2tools checksum.py):
//
//  metaChecksum = MD5 over, in order: the entity id (16 bytes, msb then lsb), metaProducer when set
//  (URI bytes), then every non-null state field sorted by Java field name, recursing depth-first
//  into value objects (their fields sorted the same way) and into collections item by item, no
//  separators. Children (planes, artifacts, parts, chunks), lastModified, maxLastModified and the
//  checksums themselves are not included. Encodings: String/URI trimmed UTF-8 (URI in its ASCII
//  form); Integer 4 and Long 8 bytes big-endian; Double its IEEE-754 bits big-endian; Boolean one
//  byte 0/1; Date its seconds since 1970 (milliseconds / 1000, truncated) as a Long; enums their
//  value (String or Integer).
//  accMetaChecksum = MD5 over the 16 bytes of the entity's metaChecksum followed by the 16 bytes of
//  each child's accMetaChecksum, children in ascending id order compared as unsigned 128-bit
//  numbers (cadc-util UUIDComparator; Java's own UUID.compareTo is signed and differs).
#pragma once

#include "caom2/md5.hpp"
#include "caom2/model.hpp"

#include <utility>
#include <vector>

namespace obsmeta::caom2 {

// Feeds the encoding of one value / one object's fields (in checksum order) to `md5`.
void hash_value(Md5& md5, const Value& v, const FieldSpec& spec);
void hash_object(Md5& md5, const Object& o);

Digest meta_checksum(const Entity& e);
// Accumulates: meta digest, then each child's acc digest in unsigned id order (sorts `children`).
Digest acc_checksum(const Digest& meta, std::vector<std::pair<Uuid, Digest>>& children);
Digest acc_meta_checksum(const Entity& e);

// Recomputes and stores meta_checksum and acc_meta_checksum of `e` and all its descendants.
void compute_checksums(Entity& e);

// One stored checksum that differs from the recomputed one.
struct Mismatch {
    std::string entity;    // e.g. "Chunk 10f443a1-..."
    std::string which;     // "metaChecksum" or "accMetaChecksum"
    std::string stored, computed;
};
// Compares the checksums stored in `e` (and descendants) with recomputed ones; absent stored
// checksums are not compared.
std::vector<Mismatch> verify_checksums(const Entity& e);

// The Java encodings of single primitives (exposed for tests).
std::string encode_string(std::string_view s);   // trimmed UTF-8
std::string encode_uri(std::string_view s);      // trimmed, non-ASCII percent-encoded
std::string encode_int32(std::int32_t v);
std::string encode_int64(std::int64_t v);
std::string encode_double(double v);
std::string encode_bool(bool v);
std::string encode_date(std::int64_t ms);
std::string encode_uuid(const Uuid& u);

}  // namespace obsmeta::caom2
