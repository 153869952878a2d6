#include "sample_night/cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace obsmeta::sample {

std::string Cli::value() {
    const std::string option = current();
    if (at_ + 1 >= argc_) fail("missing value for " + option);
    return argv_[++at_];
}

template <typename T, typename Parse>
T Cli::number(Parse parse) {
    const std::string option = current();
    const std::string text = value();
    try {
        std::size_t used = 0;
        const T v = parse(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    fail(option + " takes a number, not \"" + text + "\"");
}

int Cli::int_value() {
    return number<int>([](const std::string& s, std::size_t* used) { return std::stoi(s, used); });
}
long long Cli::long_value() {
    return number<long long>([](const std::string& s, std::size_t* used) { return std::stoll(s, used); });
}
unsigned long long Cli::unsigned_value() {
    return number<unsigned long long>([](const std::string& s, std::size_t* used) { return std::stoull(s, used); });
}

void Cli::fail(const std::string& message) const {
    std::fprintf(stderr, "%s\n%s\n", message.c_str(), usage_.c_str());
    std::exit(2);
}

}  // namespace obsmeta::sample
