#include "caom2/model.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {

Value& Object::slot(std::string_view xml_name) {
    const int i = type->index_of(xml_name);
    if (i < 0) throw std::out_of_range(std::string(type->name) + " has no element " + std::string(xml_name));
    return slots[i];
}

const Value* Object::get(std::string_view xml_name) const {
    const int i = type->index_of(xml_name);
    if (i < 0 || !slots[i].present()) return nullptr;
    return &slots[i];
}

Object& Object::object(std::string_view xml_name, std::string_view actual_type) {
    const int i = type->index_of(xml_name);
    if (i < 0) throw std::out_of_range(std::string(type->name) + " has no element " + std::string(xml_name));
    Value& v = slots[i];
    if (v.kind != Kind::Object) {
        v.kind = Kind::Object;
        v.object = std::make_unique<Object>(actual_type.empty() ? std::string_view(type->fields[i].type) : actual_type);
    }
    return *v.object;
}

bool Object::empty() const {
    for (const Value& v : slots)
        if (v.present()) return false;
    return true;
}

std::string uuid_text(const Uuid& u) {
    static const char* kHex = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(kHex[u[i] >> 4]);
        s.push_back(kHex[u[i] & 15]);
    }
    return s;
}

bool parse_uuid(std::string_view s, Uuid& out) {
    if (s.size() != 36) return false;
    int n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
            continue;
        }
        const char c = s[i];
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else return false;
        if (n % 2 == 0) out[n / 2] = static_cast<unsigned char>(v << 4);
        else out[n / 2] |= static_cast<unsigned char>(v);
        ++n;
    }
    return n == 32;
}

namespace {
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}
}  // namespace

std::string date_text(std::int64_t ms) {
    const std::int64_t days = floor_div(ms, 86400000);
    const int rem = static_cast<int>(ms - days * 86400000);
    std::int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03d", static_cast<long long>(y), m, d, rem / 3600000,
                  rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
    return buf;
}

// yyyy-MM-ddTHH:mm:ss[.fraction][Z]: the IVOA form (UTC); a fraction beyond milliseconds is truncated.
bool parse_date(std::string_view s, std::int64_t& ms) {
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
    std::size_t pos = 19;
    int frac_ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0) return false;
        for (; n < 3; ++n) frac_ms *= 10;
    }
    if (pos < s.size() && s[pos] == 'Z') ++pos;
    if (pos != s.size()) return false;
    ms = (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec) *
             1000 + frac_ms;
    return true;
}

// Java's Double.toString layout (d.ddd for 1e-3 <= |d| < 1e7, else d.dddE<n>) with the shortest
// digits that read back as the same double.
std::string double_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "INF" : "-INF";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);  // e.g. -1.2345e-05
    const std::size_t e = sci.find('e');
    std::string mant = sci.substr(0, e);
    const int exp = std::stoi(sci.substr(e + 1));
    bool neg = false;
    if (mant[0] == '-') {
        neg = true;
        mant.erase(0, 1);
    }
    std::string digits_only;
    for (char c : mant)
        if (c != '.') digits_only.push_back(c);
    std::string out;
    const double a = std::fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (exp >= 0) {
            std::string ip = digits_only.substr(0, std::min<std::size_t>(digits_only.size(), exp + 1));
            while (static_cast<int>(ip.size()) < exp + 1) ip.push_back('0');
            std::string fp = digits_only.size() > static_cast<std::size_t>(exp + 1) ? digits_only.substr(exp + 1) : "0";
            out = ip + "." + fp;
        } else {
            out = "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits_only;
        }
    } else {
        out = digits_only.substr(0, 1) + "." + (digits_only.size() > 1 ? digits_only.substr(1) : "0") + "E" +
              std::to_string(exp);
    }
    return neg ? "-" + out : out;
}

bool parse_double(std::string_view s, double& out) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    if (s == "INF" || s == "+INF") {
        out = HUGE_VAL;
        return true;
    }
    if (s == "-INF") {
        out = -HUGE_VAL;
        return true;
    }
    if (s == "NaN") {
        out = std::nan("");
        return true;
    }
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) return false;
    auto res = std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
    return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool parse_integer(std::string_view s, std::int64_t& out) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

}  // namespace obsmeta::caom2
