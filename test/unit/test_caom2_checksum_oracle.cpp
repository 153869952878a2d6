// The checksum oracle: ../shared/anchors/caom2/sample-derived-caom24.xml (opencadc's own test
// document). It is read with libxml2 (the XML reader), every checksum in it is recomputed and must
// match; the written document must validate against CAOM-2.4.xsd and read back identically.
#include "caom2/checksum.hpp"
#include "caom2/xml.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace obsmeta::caom2;

namespace {

std::string anchors() {
    if (const char* env = std::getenv("OBSMETA_SHARED_DIR")) return std::string(env) + "/anchors/caom2/";
#ifdef OBSMETA_SHARED_DIR
    return std::string(OBSMETA_SHARED_DIR) + "/anchors/caom2/";
#else
    return "../shared/anchors/caom2/";
#endif
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int count_entities(const Entity& e) {
    int n = 1;
    for (const Entity& c : e.children) n += count_entities(c);
    return n;
}

void count_stored(const Entity& e, int& meta, int& acc) {
    meta += !e.meta_checksum.empty();
    acc += !e.acc_meta_checksum.empty();
    for (const Entity& c : e.children) count_stored(c, meta, acc);
}

}  // namespace

class Caom2Oracle : public ::testing::Test {
protected:
    void SetUp() override {
        xml_ = slurp(anchors() + "sample-derived-caom24.xml");
        ASSERT_FALSE(xml_.empty()) << "oracle not found under " << anchors();
    }
    std::string xml_;
};

TEST_F(Caom2Oracle, EveryStoredChecksumRecomputes) {
    const Entity obs = read_observation_xml(xml_);
    EXPECT_EQ(uuid_text(obs.id), "2e9bfa08-630d-4df9-94dd-e139f7ee1a39");
    EXPECT_EQ(count_entities(obs), 1 + 2 + 4 + 8 + 16);
    int meta = 0, acc = 0;
    count_stored(obs, meta, acc);
    EXPECT_EQ(meta, 31);
    EXPECT_EQ(acc, 31);
    for (const Mismatch& m : verify_checksums(obs))
        ADD_FAILURE() << m.entity << " " << m.which << " stored " << m.stored << " computed " << m.computed;
    EXPECT_EQ(md5_uri(meta_checksum(obs)), "md5:5a502c87acd929a940d995ff10f77c72");
    EXPECT_EQ(md5_uri(acc_meta_checksum(obs)), "md5:b867568f4c08afe0717ab818486d82b0");
}

TEST_F(Caom2Oracle, SignedUuidOrderWouldBeWrong) {
    // The two planes' ids sort differently signed and unsigned: the observation's acc only matches
    // with unsigned order, so swapping the accumulation order must break it.
    const Entity obs = read_observation_xml(xml_);
    ASSERT_EQ(obs.children.size(), 2u);
    Md5 m;
    const Digest meta = meta_checksum(obs);
    m.update(meta.data(), 16);
    std::vector<std::pair<Uuid, Digest>> kids;
    for (const Entity& p : obs.children) kids.emplace_back(p.id, acc_meta_checksum(p));
    std::sort(kids.begin(), kids.end(), [](const auto& a, const auto& b) {  // Java UUID.compareTo (signed)
        auto hi = [](const Uuid& u) {
            std::int64_t v = 0;
            for (int i = 0; i < 8; ++i) v = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) << 8 | u[i]);
            return v;
        };
        return hi(a.first) < hi(b.first);
    });
    for (const auto& k : kids) m.update(k.second.data(), 16);
    EXPECT_NE(md5_uri(m.finish()), obs.acc_meta_checksum);
}

TEST_F(Caom2Oracle, ComputedChecksumsEqualStored) {
    Entity obs = read_observation_xml(xml_);
    Entity again = read_observation_xml(xml_);
    compute_checksums(again);
    EXPECT_EQ(again.meta_checksum, obs.meta_checksum);
    EXPECT_EQ(again.acc_meta_checksum, obs.acc_meta_checksum);
    EXPECT_EQ(again.children[1].children[0].children[0].children[1].meta_checksum,
              obs.children[1].children[0].children[0].children[1].meta_checksum);
}

TEST_F(Caom2Oracle, WrittenDocumentValidatesAndReadsBack) {
    const Entity obs = read_observation_xml(xml_);
    const std::string out = write_observation_xml(obs);
    const auto errors = validate_xsd(out, anchors() + "CAOM-2.4.xsd");
    for (const auto& e : errors) ADD_FAILURE() << e;
    const Entity back = read_observation_xml(out);
    EXPECT_TRUE(verify_checksums(back).empty());
    EXPECT_EQ(md5_uri(acc_meta_checksum(back)), "md5:b867568f4c08afe0717ab818486d82b0");
    EXPECT_EQ(write_observation_xml(back), out);  // stable
}

TEST_F(Caom2Oracle, OriginalValidatesAgainstXsd) {
    EXPECT_TRUE(validate_xsd(xml_, anchors() + "CAOM-2.4.xsd").empty());
}

TEST_F(Caom2Oracle, ChangedValueChangesChecksumsUpTheTree) {
    Entity obs = read_observation_xml(xml_);
    Entity& chunk = obs.children[0].children[0].children[0].children[0];
    chunk.state.object("position").slot("resolution") = Value::of_double(0.25);
    const auto mism = verify_checksums(obs);
    // chunk meta + acc, part acc, artifact acc, plane acc, observation acc
    EXPECT_EQ(mism.size(), 6u);
}

TEST(Caom2Xml, RejectsBadDocuments) {
    auto reason = [](const std::string& xml) {
        try {
            read_observation_xml(xml);
        } catch (const XmlError& e) {
            return static_cast<int>(e.reason());
        }
        return -1;
    };
    EXPECT_EQ(reason("<caom2:Observation"), static_cast<int>(XmlError::Reason::Malformed));
    EXPECT_EQ(reason("<Observation xmlns=\"http://www.opencadc.org/caom2/xml/v2.3\"/>"),
              static_cast<int>(XmlError::Reason::Namespace));
    const std::string head =
        "<c:Observation xmlns:c=\"http://www.opencadc.org/caom2/xml/v2.4\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"c:SimpleObservation\" "
        "c:id=\"2e9bfa08-630d-4df9-94dd-e139f7ee1a39\">";
    const std::string ok = head + "<c:collection>C</c:collection><c:observationID>o</c:observationID>"
                                  "<c:algorithm><c:name>exposure</c:name></c:algorithm></c:Observation>";
    EXPECT_EQ(reason(ok), -1);
    EXPECT_EQ(reason(head + "<c:collection>C</c:collection></c:Observation>"), static_cast<int>(XmlError::Reason::Invalid));
    EXPECT_EQ(reason(head + "<c:observationID>o</c:observationID><c:collection>C</c:collection>"
                            "<c:algorithm><c:name>x</c:name></c:algorithm></c:Observation>"),
              static_cast<int>(XmlError::Reason::Invalid));
    EXPECT_EQ(reason(head + "<c:collection>C</c:collection><c:observationID>o</c:observationID><c:sequenceNumber>x1"
                            "</c:sequenceNumber><c:algorithm><c:name>x</c:name></c:algorithm></c:Observation>"),
              static_cast<int>(XmlError::Reason::Invalid));
    EXPECT_EQ(reason(head + "<c:collection>C</c:collection><c:observationID>o</c:observationID>"
                            "<c:algorithm><c:name>x</c:name></c:algorithm><c:intent>maybe</c:intent></c:Observation>"),
              static_cast<int>(XmlError::Reason::Invalid));
    EXPECT_EQ(reason(head + "<c:collection>C</c:collection><c:observationID>o</c:observationID>"
                            "<c:algorithm><c:name>x</c:name></c:algorithm><c:bogus/></c:Observation>"),
              static_cast<int>(XmlError::Reason::Invalid));
}
