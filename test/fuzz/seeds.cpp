// Writes seed inputs for the fuzz targets into OUT/<target>/: small documents cut from
// ../shared/anchors (CAOM-2.4 observations with one plane, consdb configurations with a few
// columns) and encodings made here (sphgeom regions of every kind, EFD chunks of typical series).
// The anchors' sphgeom regions are extracted by run.sh. Usage: obsmeta-fuzz-seeds OUT
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "caom2/checksum.hpp"
#include "caom2/xml.hpp"
#include "efd/chunk_codec.hpp"
#include "geom/sphgeom.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

const std::string kAnchors = std::string(OBSMETA_SHARED_DIR) + "/anchors/";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write(const fs::path& dir, const std::string& name, const void* data, std::size_t size) {
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}
void write(const fs::path& dir, const std::string& name, const Bytes& b) { write(dir, name, b.data(), b.size()); }
void write(const fs::path& dir, const std::string& name, const std::string& s) { write(dir, name, s.data(), s.size()); }

void put_f64(Bytes& out, double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, 8);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}
void put_u64(Bytes& out, std::uint64_t u) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}
Bytes compound(char kind, const std::vector<Bytes>& operands) {
    Bytes out{static_cast<std::uint8_t>(kind)};
    for (const Bytes& op : operands) {
        put_u64(out, op.size());
        out.insert(out.end(), op.begin(), op.end());
    }
    return out;
}

void sphgeom_seeds(const fs::path& dir) {
    using namespace obsmeta::geom;
    const Vec3 c = unit_vector({150.0, 2.0});
    Bytes circle{'c'};
    for (double d : {c.x, c.y, c.z, 4 * std::pow(std::sin(0.5 * 0.03), 2), 0.03}) put_f64(circle, d);
    Bytes box{'b'};
    for (double d : {2.6, 2.62, 0.03, 0.05}) put_f64(box, d);
    Bytes ellipse{'e'};  // S (rows: axis a, axis b, centre), a - pi/2, b - pi/2, gamma, |tan a|, |tan b|
    const Vec3 a = unit_vector({240.0, 0.0}), b = {0, 0, 1};
    for (double d : {a.x, a.y, a.z, b.x, b.y, b.z, c.x, c.y, c.z, 0.02 - M_PI / 2, 0.01 - M_PI / 2, 0.0,
                     std::tan(0.02), std::tan(0.01)})
        put_f64(ellipse, d);
    const Bytes polygon = encode_convex_polygon(
        {unit_vector({149.9, 1.9}), unit_vector({150.1, 1.9}), unit_vector({150.1, 2.1}), unit_vector({149.9, 2.1})});
    write(dir, "circle", circle);
    write(dir, "box", box);
    write(dir, "ellipse", ellipse);
    write(dir, "polygon", polygon);
    write(dir, "union", compound('u', {polygon, circle, box}));
    write(dir, "intersection", compound('i', {box, polygon}));
    write(dir, "nested", compound('u', {compound('i', {ellipse, polygon}), compound('u', {})}));
}

void caom2_seeds(const fs::path& dir) {
    using namespace obsmeta::caom2;
    const std::string xml = slurp(kAnchors + "caom2/sample-derived-caom24.xml");
    const std::size_t planes = read_observation_xml(xml).children.size();
    // One observation per plane, each entity keeping only its first child: small documents that
    // still have every level (plane, artifact, part, chunk) for the fuzzer to mutate.
    for (std::size_t i = 0; i < planes; ++i) {
        Entity obs = read_observation_xml(xml);
        obs.children.erase(obs.children.begin() + static_cast<long>(i) + 1, obs.children.end());
        obs.children.erase(obs.children.begin(), obs.children.begin() + static_cast<long>(i));
        for (Entity* e = &obs.children.front(); !e->children.empty(); e = &e->children.front())
            e->children.erase(e->children.begin() + 1, e->children.end());
        compute_checksums(obs);
        write(dir, "plane" + std::to_string(i) + ".xml", write_observation_xml(obs));
    }
    Entity bare = read_observation_xml(xml);
    bare.children.clear();
    compute_checksums(bare);
    write(dir, "observation.xml", write_observation_xml(bare));
}

// The anchor configuration cut into documents of a few columns each (every 50th group).
void consdb_seeds(const fs::path& dir) {
    std::istringstream in(slurp(kAnchors + "efd/consdb_transformed_efd_config_lsstcam.yaml"));
    std::string line, header, group;
    int columns = 0, written = 0;
    bool in_columns = false;
    auto flush = [&] {
        if (!group.empty() && (columns / 3) % 50 == 1) write(dir, "columns" + std::to_string(written++) + ".yaml", header + group);
        group.clear();
    };
    while (std::getline(in, line)) {
        if (!in_columns) {
            header += line + "\n";
            in_columns = line.rfind("columns:", 0) == 0;
            continue;
        }
        if (line.rfind("- name:", 0) == 0 && ++columns % 3 == 1) flush();
        group += line + "\n";
    }
    flush();
    write(dir, "minimal.yaml", header + "- name: x\n  tables: [exposure_efd]\n  function: mean\n  datatype: float\n"
                                        "  topics:\n  - name: lsst.sal.T.t\n    fields:\n    - name: f\n");
}

void efd_seeds(const fs::path& dir) {
    using namespace obsmeta::efd;
    struct Named { const char* name; Series s; };
    std::vector<Named> series(4);
    const int64_t t0 = 818000000000000;  // 2025-12 in PostgreSQL's epoch
    series[0].name = "steady_repeated";
    series[1].name = "jitter_float32";
    series[2].name = "noisy_double";
    series[3].name = "one_sample";
    for (int i = 0; i < 300; ++i) {
        series[0].s.push(t0 + 50000 * i, 1.5);
        series[1].s.push(t0 + 50000 * i + (i * 37 % 200) - 100, static_cast<float>(20 + 0.01 * i));
        series[2].s.push(t0 + 1000 * i * i + i, std::sin(i * 0.37) * 1e3);
    }
    series[3].s.push(t0, -0.0);
    for (const Named& n : series) {
        for (bool v1 : {false, true}) {
            Bytes chunk;
            (v1 ? encode_chunk_v1 : encode_chunk)(n.s.view(), chunk);
            write(dir, std::string(n.name) + (v1 ? ".v1" : ".v2"), chunk);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: obsmeta-fuzz-seeds OUT\n";
        return 2;
    }
    const fs::path out = argv[1];
    try {
        sphgeom_seeds(out / "sphgeom");
        caom2_seeds(out / "caom2_xml");
        consdb_seeds(out / "consdb_config");
        efd_seeds(out / "efd_chunk_decode");
    } catch (const std::exception& e) {
        std::cerr << "obsmeta-fuzz-seeds: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
