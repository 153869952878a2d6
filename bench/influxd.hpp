// A private InfluxDB 1.x server for a benchmark: influxd from Debian's `influxdb` package, started
// with its own configuration, data, meta and WAL directories in a fresh directory under /tmp,
// listening on 127.0.0.1 only (HTTP on the given port, the backup RPC on port + 2), usage
// reporting, monitor store, subscriptions, continuous queries, retention and shard pre-creation
// off. Cold shards are snapshotted and fully compacted after 1 s (instead of 10 min / 4 h), so
// that the benchmark can measure compacted TSM files. The server is stopped when the object is
// destroyed, on SIGINT/SIGTERM/SIGHUP, and (PR_SET_PDEATHSIG) when the benchmark dies.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>

namespace obsmeta::bench {

class Influxd {
public:
    Influxd(const std::string& binary, int port, bool keep_dir);
    ~Influxd();
    Influxd(const Influxd&) = delete;
    Influxd& operator=(const Influxd&) = delete;

    int pid() const { return pid_; }
    const std::string& dir() const { return dir_; }
    std::string url(const std::string& path_and_query) const;
    void stop();

    // Bytes of the .tsm files of a database, and whether every shard of it is one TSM file with no
    // compaction under way and nothing left in the WAL.
    struct DiskState {
        std::uint64_t tsm_bytes = 0, wal_bytes = 0, other_bytes = 0;  // other: fields.idx, tombstones
        std::uint64_t series_file_bytes = 0;  // the database's series file (_series), allocated blocks
        int shards = 0, tsm_files = 0, tmp_files = 0;
        bool fully_compacted() const { return shards > 0 && tsm_files == shards && tmp_files == 0 && wal_bytes == 0; }
    };
    DiskState disk(const std::string& database) const;

private:
    std::string dir_;
    int port_ = 0;
    int pid_ = -1;
    bool keep_dir_ = false;
};

// One HTTP connection (kept alive) to a server on 127.0.0.1 (libcurl easy handle).
class HttpClient {
public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;
    // POST body to url; returns the HTTP status, the response body in `response`.
    long post(const std::string& url, const std::string& body, std::string& response,
              const char* content_type = "text/plain; charset=utf-8");
    long get(const std::string& url, std::string& response);
    std::string escape(const std::string& s);

private:
    CURL* curl_ = nullptr;
    long perform(std::string& response);
};

}  // namespace obsmeta::bench
