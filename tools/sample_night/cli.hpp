// Command-line parsing shared by the sample loader, the concurrency test and the benchmarks:
// "--name value" options and "--flag" switches; any mistake prints the usage and exits with 2.
//
//   Cli cli(argc, argv, "usage: obsmeta-x --conninfo \"...\" [--repeat N]");
//   while (cli.next()) {
//       if (cli.is("--conninfo")) o.conninfo = cli.value();
//       else if (cli.is("--repeat")) o.repeat = cli.int_value();
//       else cli.unknown();
//   }
//   if (o.conninfo.empty()) cli.fail("--conninfo is required");
#pragma once

#include <string>

namespace obsmeta::sample {

class Cli {
public:
    Cli(int argc, char** argv, std::string usage) : argc_(argc), argv_(argv), usage_(std::move(usage)) {}

    bool next() { return ++at_ < argc_; }  // moves to the next argument; false after the last
    bool is(const char* name) const { return current() == name; }
    std::string value();  // the argument after the current option
    int int_value();
    long long long_value();
    unsigned long long unsigned_value();
    [[noreturn]] void fail(const std::string& message) const;
    [[noreturn]] void unknown() const { fail("unknown argument " + current()); }

private:
    std::string current() const { return at_ < argc_ ? argv_[at_] : std::string(); }
    template <typename T, typename Parse>
    T number(Parse parse);

    int argc_;
    char** argv_;
    std::string usage_;
    int at_ = 0;
};

}  // namespace obsmeta::sample
