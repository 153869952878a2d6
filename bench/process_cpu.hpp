// CPU seconds (user + system, all threads) a process has used, from /proc/PID/stat; -1 where
// /proc cannot tell. The benchmarks bill the server side (a PostgreSQL backend, influxd) with it.
#pragma once

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace obsmeta::bench {

inline double process_cpu_seconds(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return -1;
    // Fields after the command name (which is in parentheses): state is field 3, utime 14, stime 15.
    std::size_t close = line.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && (rest >> field); ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace obsmeta::bench
