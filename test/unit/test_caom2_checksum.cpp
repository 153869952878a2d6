// CAOM-2.4 checksum engine: MD5 itself, the primitive encodings (vectors from caom2tools'
// test_checksum.py, re-checked in ../shared/anchors/caom2/README.md), text forms, child order.
#include "caom2/checksum.hpp"

#include <gtest/gtest.h>

using namespace obsmeta::caom2;

namespace {
std::string md5_hex(const std::string& bytes) {
    Md5 m;
    m.update(bytes);
    return to_hex(m.finish());
}
}  // namespace

TEST(Caom2Md5, Rfc1321Vectors) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
              "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Caom2Md5, IncrementalEqualsOneShot) {
    std::string data;
    for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
    Md5 m;
    for (std::size_t i = 0; i < data.size(); i += 13) m.update(data.substr(i, 13));
    EXPECT_EQ(to_hex(m.finish()), md5_hex(data));
}

TEST(Caom2Checksum, PrimitiveVectors) {
    EXPECT_EQ(md5_hex(encode_bool(true)), "55a54008ad1ba589aa210d2629c1df41");
    EXPECT_EQ(md5_hex(encode_bool(false)), "93b885adfe0da089cdf634904fd59f71");
    EXPECT_EQ(md5_hex(encode_string("hello")), "5d41402abc4b2a76b9719d911017c592");
    EXPECT_EQ(md5_hex(encode_int32(3)), "584a15a90f2f959d0703594ad447ae93");
    EXPECT_EQ(md5_hex(encode_int64(12345678910LL)), "f61cbb413a37d320af998a215530bc78");
    EXPECT_EQ(md5_hex(encode_double(2.2)), "0fec383169e99d1a6bebd89d1cd8fad9");
    std::int64_t ms = 0;
    ASSERT_TRUE(parse_date("2012-07-11T13:26:37.123", ms));
    EXPECT_EQ(md5_hex(encode_date(ms)), "aedbcf5e27a17fc2daa5a0e0d7840009");
    EXPECT_EQ(md5_hex(encode_uri("ad:file")), "effad6d4f11ff5a2a8fdd4880b7f2081");
    Uuid u{};
    ASSERT_TRUE(parse_uuid("00000000-0000-0000-9d25-b0383f3182a5", u));
    EXPECT_EQ(md5_hex(encode_uuid(u)), "5b71d023d4729575d550536dce8439e6");
}

TEST(Caom2Checksum, StringsAreTrimmedUrisAscii) {
    EXPECT_EQ(encode_string("  hello \t"), "hello");
    EXPECT_EQ(encode_uri("ad:caf\xc3\xa9"), "ad:caf%C3%A9");
}

TEST(Caom2Checksum, DatesTruncateToSeconds) {
    std::int64_t a = 0, b = 0;
    ASSERT_TRUE(parse_date("2024-11-06T21:32:57.000", a));
    ASSERT_TRUE(parse_date("2024-11-06T21:32:57.999", b));
    EXPECT_EQ(encode_date(a), encode_date(b));
    EXPECT_EQ(date_text(b), "2024-11-06T21:32:57.999");
    EXPECT_EQ(date_text(-1), "1969-12-31T23:59:59.999");
}

TEST(Caom2Checksum, DoubleTextRoundTrips) {
    for (double d : {0.1, 1.0, 4.5e-4, 1e-8, 2000.0, 1e7, 123456789.125, -3.75, 5e-324, 1.7976931348623157e308}) {
        double back = 0;
        ASSERT_TRUE(parse_double(double_text(d), back)) << double_text(d);
        EXPECT_EQ(back, d) << double_text(d);
    }
    EXPECT_EQ(double_text(4.5e-4), "4.5E-4");
    EXPECT_EQ(double_text(2000.0), "2000.0");
    EXPECT_EQ(double_text(0.05), "0.05");
    EXPECT_EQ(double_text(1e-8), "1.0E-8");
    EXPECT_EQ(double_text(1.5e10), "1.5E10");
}

TEST(Caom2Checksum, ChildrenAccumulateInUnsignedIdOrder) {
    // 0x59... < 0xcb... unsigned; Java's signed UUID order would put 0xcb... (negative) first.
    Uuid lo{}, hi{};
    ASSERT_TRUE(parse_uuid("594de53e-1fe5-40bb-a940-d993f351d3f7", lo));
    ASSERT_TRUE(parse_uuid("cbe1b7b1-0a28-44b4-b8e9-5b57b4129577", hi));
    Digest meta{}, a{}, b{};
    a.fill(1);
    b.fill(2);
    std::vector<std::pair<Uuid, Digest>> kids = {{hi, b}, {lo, a}};
    const Digest acc = acc_checksum(meta, kids);
    Md5 m;
    m.update(meta.data(), 16);
    m.update(a.data(), 16);
    m.update(b.data(), 16);
    EXPECT_EQ(to_hex(acc), to_hex(m.finish()));
}

TEST(Caom2Checksum, AbsentAndEmptyContributeNothing) {
    Entity e("Part");
    parse_uuid("033d7f7b-4876-46bc-ab5e-99215bec6252", e.id);
    e.state.slot("name") = Value::of_string("x0");
    const Digest before = meta_checksum(e);
    e.state.slot("productType") = Value{};  // explicitly absent
    EXPECT_EQ(to_hex(meta_checksum(e)), to_hex(before));
    e.state.slot("productType") = Value::of_string("science");
    EXPECT_NE(to_hex(meta_checksum(e)), to_hex(before));
}

TEST(Caom2Checksum, SetsAreSortedListsKeepOrder) {
    Entity a("SimpleObservation"), b("SimpleObservation");
    for (Entity* e : {&a, &b}) {
        e->state.slot("collection") = Value::of_string("C");
        e->state.slot("observationID") = Value::of_string("o");
        e->state.object("algorithm").slot("name") = Value::of_string("exposure");
    }
    auto& ka = a.state.object("proposal").slot("keywords");
    auto& kb = b.state.object("proposal").slot("keywords");
    ka.kind = kb.kind = Kind::List;
    ka.items.push_back(Value::of_string("x"));
    ka.items.push_back(Value::of_string("a"));
    kb.items.push_back(Value::of_string("a"));
    kb.items.push_back(Value::of_string("x"));
    a.state.object("proposal").slot("id") = Value::of_string("p");
    b.state.object("proposal").slot("id") = Value::of_string("p");
    EXPECT_EQ(to_hex(meta_checksum(a)), to_hex(meta_checksum(b)));
}
