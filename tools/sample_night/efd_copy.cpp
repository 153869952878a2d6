#include "sample_night/efd_copy.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace obsmeta::sample {

void EfdCopyRows::start() {
    static const char sig[] = "PGCOPY\n\377\r\n\0";
    buf_.assign(sig, sig + 11);
    put32(0);  // flags
    put32(0);  // header extension length
    rows_ = 0;
}

void EfdCopyRows::row(std::int32_t channel, std::int64_t t_us_2000, double v) {
    put16(3);
    put32(4);
    put32(static_cast<std::uint32_t>(channel));
    put32(8);
    put64(static_cast<std::uint64_t>(t_us_2000));
    put32(8);
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    put64(bits);
    ++rows_;
}

std::string EfdCopyRows::finish() {
    put16(0xffff);
    return std::string(buf_.begin(), buf_.end());
}

void EfdCopyRows::put16(std::uint16_t x) {
    x = htons(x);
    buf_.insert(buf_.end(), reinterpret_cast<char*>(&x), reinterpret_cast<char*>(&x) + 2);
}

void EfdCopyRows::put32(std::uint32_t x) {
    x = htonl(x);
    buf_.insert(buf_.end(), reinterpret_cast<char*>(&x), reinterpret_cast<char*>(&x) + 4);
}

void EfdCopyRows::put64(std::uint64_t x) {
    put32(static_cast<std::uint32_t>(x >> 32));
    put32(static_cast<std::uint32_t>(x));
}

void copy_binary(Connection& conn, const std::string& target, const std::string& data) {
    PGresult* res = PQexec(conn.raw(), ("COPY " + target + " FROM STDIN (FORMAT binary)").c_str());
    check(conn.raw(), res, PGRES_COPY_IN, "COPY " + target);
    if (PQputCopyData(conn.raw(), data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(conn.raw(), nullptr) != 1)
        throw std::runtime_error(PQerrorMessage(conn.raw()));
    check(conn.raw(), PQgetResult(conn.raw()), PGRES_COMMAND_OK, "COPY " + target);
    while (PGresult* r = PQgetResult(conn.raw())) PQclear(r);
}

}  // namespace obsmeta::sample
