// MD5, incremental, computed by OpenSSL's EVP interface. CAOM-2.4 metaChecksum/accMetaChecksum are
// MD5 digests; this is the one place obsmeta computes them (no PostgreSQL headers).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of the includers' namespace

namespace obsmeta::caom2 {

using Digest = std::array<unsigned char, 16>;

class Md5 {
public:
    // Throws std::runtime_error when OpenSSL offers no MD5 (e.g. a FIPS-only configuration).
    Md5();
    void reset();
    void update(const void* data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    // Returns the digest and resets the state (like Java's MessageDigest.digest()).
    Digest finish();

private:
    struct FreeContext {
        void operator()(evp_md_ctx_st* ctx) const;
    };
    std::unique_ptr<evp_md_ctx_st, FreeContext> ctx_;
};

std::string to_hex(const Digest& d);
// "md5:<32 hex digits>" -> digest; false if the text is not of that form.
bool parse_md5_uri(std::string_view uri, Digest& out);
inline std::string md5_uri(const Digest& d) { return "md5:" + to_hex(d); }

}  // namespace obsmeta::caom2
