// Unit tests for src/efd/jsonb_object: the recomputation's jsonb objects, written without
// PostgreSQL, must be the bytes PostgreSQL makes of the same values. The expected bytes were read
// from PostgreSQL 15 with pageinspect (heap_page_items(get_raw_page(...)).t_data of a numeric and
// of a jsonb column, STORAGE PLAIN): there each datum has a 1-byte varlena header, here a 4-byte
// one, so the payloads after the headers are compared. (pgTAP 61_efd_values_jsonb checks the
// stored objects against jsonb_in's in the database.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "efd/batch_compute.hpp"
#include "efd/jsonb_object.hpp"

using namespace obsmeta::efd;

namespace {

std::vector<uint8_t> hex(const std::string& h) {
    std::vector<uint8_t> out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

// The payload after a 4-byte varlena header, checking that the header holds the datum's length.
std::vector<uint8_t> payload(const std::vector<uint8_t>& datum) {
    EXPECT_GE(datum.size(), 4u);
    const uint32_t header = static_cast<uint32_t>(datum[0]) | static_cast<uint32_t>(datum[1]) << 8 |
                            static_cast<uint32_t>(datum[2]) << 16 | static_cast<uint32_t>(datum[3]) << 24;
    EXPECT_EQ(header & 3u, 0u);  // a 4-byte, uncompressed varlena
    EXPECT_EQ(header >> 2, datum.size());
    return std::vector<uint8_t>(datum.begin() + 4, datum.end());
}

std::vector<uint8_t> numeric_of(double v) {
    std::vector<uint8_t> out;
    append_numeric(shortest_decimal(v), out);
    return payload(out);
}

}  // namespace

TEST(EfdJsonbObject, NumericsAsPostgresqlStoresThem) {
    EXPECT_EQ(numeric_of(0.0), hex("0080"));
    EXPECT_EQ(numeric_of(-0.0), hex("0080"));
    EXPECT_EQ(numeric_of(1.5), hex("808001008813"));
    EXPECT_EQ(numeric_of(-1500), hex("00a0dc05"));
    EXPECT_EQ(numeric_of(0.1), hex("ff80e803"));
    EXPECT_EQ(numeric_of(123456789.0123456), hex("828301002909851a7b00d011"));
    EXPECT_EQ(numeric_of(-2.5e-7), hex("7ea41900"));
    EXPECT_EQ(numeric_of(1e20), hex("05800100"));  // 17 digits × 1000 overflows 64 bits on the way
    EXPECT_EQ(numeric_of(0.000001), hex("7e836400"));
    // Beyond the short form's weight and scale: the long form.
    EXPECT_EQ(numeric_of(std::numeric_limits<double>::max()), hex("00004d000100281f6124fe12550c"));
    EXPECT_EQ(numeric_of(std::numeric_limits<double>::denorm_min()), hex("4401afff0500"));
}

TEST(EfdJsonbObject, ObjectAsJsonbInBuildsIt) {
    // {"a": 1.5, "bb": NaN, "c": {"x": -2, "yy": 0.25}} with c unpivoted; "d" has no value (None)
    // and "e" was not recomputed (Absent): neither is in the object.
    std::vector<OutputSpec> specs(5);
    const char* names[] = {"a", "bb", "c", "d", "e"};
    for (std::size_t s = 0; s < specs.size(); ++s) specs[s].output_name = names[s];
    specs[2].unpivot = true;
    specs[2].fields = {"x", "yy"};
    rank_outputs(specs);
    std::vector<uint32_t> by_rank(specs.size());
    for (std::size_t s = 0; s < specs.size(); ++s) by_rank[specs[s].rank] = static_cast<uint32_t>(s);
    Outputs outs;
    outs.n_specs = specs.size();
    outs.cells.assign(2 * specs.size(), Cell{});  // image 1 only
    outs.at(1, 0) = {1.5, 0, Cell::Number};
    outs.at(1, 1) = {std::numeric_limits<double>::quiet_NaN(), 0, Cell::Number};
    outs.nested = {{0, -2.0}, {1, 0.25}};
    outs.nested_ranges = {{0, 1}};
    outs.at(1, 2) = {0, 0, Cell::Nested};
    outs.at(1, 3) = {0, 0, Cell::None};
    std::vector<uint8_t> out;
    encode_image_object(specs, by_rank, outs, 1, out);
    EXPECT_EQ(payload(out), hex("03000020010000800100000002000000" "0a0000102a00005003000000616362622800000080800100881300000200002001000080020000000900001008000010787979002000000000a00200200000007f81c4094e614e"));
    // Image 0 has no value at all: {}.
    encode_image_object(specs, by_rank, outs, 0, out);
    EXPECT_EQ(payload(out), hex("00000020"));
}

TEST(EfdJsonbObject, EveryThirtySecondEntryHoldsAnOffset) {
    // 40 outputs: JEntries 0 and 32 (keys) and 40 - 32 + ... hold end offsets; reading the object
    // back by those rules finds every key and value.
    std::vector<OutputSpec> specs(40);
    for (std::size_t s = 0; s < specs.size(); ++s) specs[s].output_name = "k" + std::to_string(100 + s);
    rank_outputs(specs);
    std::vector<uint32_t> by_rank(specs.size());
    for (std::size_t s = 0; s < specs.size(); ++s) by_rank[specs[s].rank] = static_cast<uint32_t>(s);
    Outputs outs;
    outs.n_specs = specs.size();
    outs.cells.assign(specs.size(), Cell{});
    for (std::size_t s = 0; s < specs.size(); ++s) outs.at(0, s) = {static_cast<double>(s), 0, Cell::Number};
    std::vector<uint8_t> out;
    encode_image_object(specs, by_rank, outs, 0, out);
    auto word = [&](std::size_t at) {
        return static_cast<uint32_t>(out[at]) | static_cast<uint32_t>(out[at + 1]) << 8 | static_cast<uint32_t>(out[at + 2]) << 16 |
               static_cast<uint32_t>(out[at + 3]) << 24;
    };
    ASSERT_EQ(word(4), 40u | 0x20000000u);
    const std::size_t data = 8 + 80 * 4;
    std::size_t end = 0;
    for (std::size_t i = 0; i < 80; ++i) {
        const uint32_t e = word(8 + 4 * i);
        EXPECT_EQ((e & 0x80000000u) != 0, i % 32 == 0) << i;
        const std::size_t start = end;
        end = (e & 0x80000000u) ? (e & 0x0FFFFFFFu) : start + (e & 0x0FFFFFFFu);
        if (i < 40) {
            EXPECT_EQ(e & 0x70000000u, 0u);
            EXPECT_EQ(std::string(out.begin() + static_cast<long>(data + start), out.begin() + static_cast<long>(data + end)),
                      "k" + std::to_string(100 + i));
        } else {
            EXPECT_EQ(e & 0x70000000u, 0x10000000u);
        }
    }
    EXPECT_EQ(data + end, out.size());
}
