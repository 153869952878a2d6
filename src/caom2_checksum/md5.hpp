// MD5 (RFC 1321), incremental. CAOM-2.4 metaChecksum/accMetaChecksum are MD5 digests; this is the
// one implementation obsmeta uses for them (no PostgreSQL headers, no external library).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace obsmeta::caom2 {

using Digest = std::array<unsigned char, 16>;

class Md5 {
public:
    Md5() { reset(); }
    void reset();
    void update(const void* data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    // Returns the digest and resets the state (like Java's MessageDigest.digest()).
    Digest finish();

private:
    void block(const unsigned char* p);
    std::uint32_t state_[4];
    std::uint64_t length_ = 0;  // bytes
    unsigned char buffer_[64];
    std::size_t buffered_ = 0;
};

std::string to_hex(const Digest& d);
// "md5:<32 hex digits>" -> digest; false if the text is not of that form.
bool parse_md5_uri(std::string_view uri, Digest& out);
inline std::string md5_uri(const Digest& d) { return "md5:" + to_hex(d); }

}  // namespace obsmeta::caom2
