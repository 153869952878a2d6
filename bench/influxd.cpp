#include "influxd.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace obsmeta::bench {

namespace {

std::atomic<int> g_server_pid{-1};  // for the signal handler

void on_signal(int sig) {
    const int pid = g_server_pid.load();
    if (pid > 0) kill(pid, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

std::string config_text(const std::string& dir, int port) {
    const std::string host = "127.0.0.1:";
    return "reporting-disabled = true\n"
           "bind-address = \"" + host + std::to_string(port + 2) + "\"\n"
           "[meta]\n  dir = \"" + dir + "/meta\"\n  logging-enabled = false\n"
           "[data]\n  dir = \"" + dir + "/data\"\n  wal-dir = \"" + dir + "/wal\"\n"
           "  index-version = \"inmem\"\n  query-log-enabled = false\n"
           "  cache-snapshot-write-cold-duration = \"1s\"\n  compact-full-write-cold-duration = \"1s\"\n"
           "[coordinator]\n[retention]\n  enabled = false\n[shard-precreation]\n  enabled = false\n"
           "[monitor]\n  store-enabled = false\n[subscriber]\n  enabled = false\n"
           "[http]\n  enabled = true\n  bind-address = \"" + host + std::to_string(port) + "\"\n"
           "  auth-enabled = false\n  log-enabled = false\n  pprof-enabled = false\n  max-body-size = 0\n"
           "[ifql]\n  enabled = false\n[logging]\n  level = \"warn\"\n  suppress-logo = true\n"
           "[continuous_queries]\n  enabled = false\n";
}

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

}  // namespace

Influxd::Influxd(const std::string& binary, int port, bool keep_dir) : port_(port), keep_dir_(keep_dir) {
    if (access(binary.c_str(), X_OK) != 0)
        throw std::runtime_error("influxd not found at " + binary + " (apt-get install influxdb, or --influxd PATH)");
    char tmpl[] = "/tmp/obsmeta-bench-influxdb-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
    {
        std::ofstream conf(dir_ + "/influxdb.conf");
        conf << config_text(dir_, port_);
    }
    const std::string conf = dir_ + "/influxdb.conf", log = dir_ + "/influxd.log";
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // the benchmark died: so does its server
        if (getppid() != parent) _exit(1);
        int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(binary.c_str(), binary.c_str(), "-config", conf.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    g_server_pid = pid_;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, on_signal);
    // Ready when /ping answers 204.
    HttpClient http;
    std::string body;
    for (int i = 0; i < 300; ++i) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            g_server_pid = -1;
            std::ifstream in(log);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            throw std::runtime_error("influxd exited at start-up (port " + std::to_string(port_) + " in use?):\n" + text);
        }
        try {
            if (http.get(url("/ping"), body) == 204) return;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop();
    throw std::runtime_error("influxd did not answer on 127.0.0.1:" + std::to_string(port_) + " within 30 s");
}

Influxd::~Influxd() {
    stop();
    if (!keep_dir_ && !dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
}

void Influxd::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    g_server_pid = -1;
}

std::string Influxd::url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
}

Influxd::DiskState Influxd::disk(const std::string& database) const {
    DiskState d;
    std::error_code ec;
    const fs::path data = fs::path(dir_) / "data" / database, wal = fs::path(dir_) / "wal" / database;
    for (const auto& rp : fs::directory_iterator(data, ec)) {
        if (rp.path().filename().string().rfind('_', 0) == 0) {  // _series: the series file (keys, not samples)
            for (const auto& f : fs::recursive_directory_iterator(rp.path(), ec)) {
                struct stat st;
                if (f.is_regular_file() && stat(f.path().c_str(), &st) == 0)
                    d.series_file_bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;  // preallocated, sparse
            }
            continue;
        }
        for (const auto& shard : fs::directory_iterator(rp.path(), ec)) {
            if (!shard.is_directory()) continue;
            ++d.shards;
            for (const auto& f : fs::directory_iterator(shard.path(), ec)) {
                const std::string name = f.path().filename().string();
                const std::uint64_t size = f.is_regular_file() ? f.file_size() : 0;
                if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tsm") == 0) {
                    ++d.tsm_files;
                    d.tsm_bytes += size;
                } else {
                    if (name.find(".tmp") != std::string::npos) ++d.tmp_files;
                    d.other_bytes += size;
                }
            }
        }
    }
    for (const auto& f : fs::recursive_directory_iterator(wal, ec))
        if (f.is_regular_file()) d.wal_bytes += f.file_size();
    return d;
}

HttpClient::HttpClient() : curl_(curl_easy_init()) {
    if (!curl_) throw std::runtime_error("curl_easy_init failed");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");  // 127.0.0.1 only, whatever the environment says
}

HttpClient::~HttpClient() { curl_easy_cleanup(curl_); }

long HttpClient::perform(std::string& response) {
    response.clear();
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response);
    CURLcode rc = curl_easy_perform(curl_);
    if (rc != CURLE_OK) throw std::runtime_error(std::string("HTTP: ") + curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

long HttpClient::post(const std::string& url, const std::string& body, std::string& response, const char* content_type) {
    curl_slist* headers = curl_slist_append(nullptr, (std::string("Content-Type: ") + content_type).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip per batch
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    long status = 0;
    try {
        status = perform(response);
    } catch (...) {
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
        curl_slist_free_all(headers);
        throw;
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    return status;
}

long HttpClient::get(const std::string& url, std::string& response) {
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    return perform(response);
}

std::string HttpClient::escape(const std::string& s) {
    char* e = curl_easy_escape(curl_, s.data(), static_cast<int>(s.size()));
    std::string out(e);
    curl_free(e);
    return out;
}

}  // namespace obsmeta::bench
