// The bytes write_observation_xml produces: layout, escaping of text and attributes, characters XML
// cannot hold. These pin the output the hand-written writer produced, which the libxml2
// xmlTextWriter version must reproduce exactly (exported documents are compared byte for byte).
#include "caom2/xml.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace obsmeta::caom2;

namespace {

std::string oracle_document() {
    std::string dir;
    if (const char* env = std::getenv("OBSMETA_SHARED_DIR")) dir = std::string(env) + "/anchors/caom2/";
#ifdef OBSMETA_SHARED_DIR
    else dir = std::string(OBSMETA_SHARED_DIR) + "/anchors/caom2/";
#else
    else dir = "../shared/anchors/caom2/";
#endif
    std::ifstream in(dir + "sample-derived-caom24.xml", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The line of `doc` that contains `needle` (without its newline), or "" when there is none.
std::string line_with(const std::string& doc, const std::string& needle) {
    const std::size_t at = doc.find(needle);
    if (at == std::string::npos) return {};
    const std::size_t begin = doc.rfind('\n', at) + 1;
    return doc.substr(begin, doc.find('\n', at) - begin);
}

class Caom2XmlWriter : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string xml = oracle_document();
        ASSERT_FALSE(xml.empty());
        obs_ = std::make_unique<Entity>(read_observation_xml(xml));
    }
    Value& target_name() { return obs_->state.object("target").slot("name"); }
    std::unique_ptr<Entity> obs_;
};

}  // namespace

TEST_F(Caom2XmlWriter, DeclarationRootAndIndentation) {
    const std::string doc = write_observation_xml(*obs_);
    const std::string head =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<caom2:Observation xmlns:caom2=\"http://www.opencadc.org/caom2/xml/v2.4\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"caom2:DerivedObservation\" "
        "caom2:id=\"2e9bfa08-630d-4df9-94dd-e139f7ee1a39\" caom2:lastModified=\"2024-11-06T21:32:58.120\" "
        "caom2:maxLastModified=\"2024-11-06T21:33:00.120\" caom2:metaChecksum=\"md5:5a502c87acd929a940d995ff10f77c72\" "
        "caom2:accMetaChecksum=\"md5:b867568f4c08afe0717ab818486d82b0\" caom2:metaProducer=\"test:observation/rountrip-1.0\">\n"
        "  <caom2:collection>TEST</caom2:collection>\n"
        "  <caom2:observationID>observationID</caom2:observationID>\n"
        "  <caom2:metaRelease>2024-11-06T21:32:57.646</caom2:metaRelease>\n"
        "  <caom2:metaReadGroups>\n"
        "    <caom2:groupURI>ivo://cadc.nrc.ca/gms?A</caom2:groupURI>\n";
    EXPECT_EQ(doc.substr(0, head.size()), head);
    const std::string tail =
        "  <caom2:members>\n"
        "    <caom2:observationURI>caom:foo/bar</caom2:observationURI>\n"
        "    <caom2:observationURI>caom:foo/baz</caom2:observationURI>\n"
        "  </caom2:members>\n"
        "</caom2:Observation>\n";
    ASSERT_GE(doc.size(), tail.size());
    EXPECT_EQ(doc.substr(doc.size() - tail.size()), tail);
    // A child entity and a typed shape (plane position bounds), four levels down.
    EXPECT_NE(doc.find("\n        <caom2:artifact caom2:id=\""), std::string::npos);
    EXPECT_NE(doc.find("\n        <caom2:bounds xsi:type=\"caom2:Polygon\">\n          <caom2:points>\n"), std::string::npos);
}

TEST_F(Caom2XmlWriter, TextIsEscapedAndControlCharactersDropped) {
    target_name() = Value::of_string(std::string("a&b<c>d\"e'f\tg\nh\ri\x01j\x1f\x7fk \xc3\xa9\xe2\x98\x83 ]]> &amp;"));
    const std::string doc = write_observation_xml(*obs_);
    EXPECT_EQ(line_with(doc, "<caom2:name>a&amp;"), "    <caom2:name>a&amp;b&lt;c&gt;d\"e'f\tg");
    EXPECT_EQ(line_with(doc, "h&#13;"), "h&#13;ij\x7fk \xc3\xa9\xe2\x98\x83 ]]&gt; &amp;amp;</caom2:name>");
    const Entity back = read_observation_xml(doc);
    EXPECT_EQ(back.state.get("target")->object->get("name")->text,
              "a&b<c>d\"e'f\tg\nh\rij\x7fk \xc3\xa9\xe2\x98\x83 ]]> &amp;");
}

TEST_F(Caom2XmlWriter, AttributesAreEscaped) {
    obs_->meta_producer = "ivo://x.org/p?a=1&b=\"2\"<3>\tz\nq\r\x02 'y' \xc3\xa9\xe2\x98\x83";
    const std::string doc = write_observation_xml(*obs_);
    EXPECT_NE(doc.find(" caom2:metaProducer=\"ivo://x.org/p?a=1&amp;b=&quot;2&quot;&lt;3&gt;&#9;z&#10;q&#13; 'y' "
                       "\xc3\xa9\xe2\x98\x83\">\n"),
              std::string::npos);
    EXPECT_EQ(read_observation_xml(doc).meta_producer, "ivo://x.org/p?a=1&b=\"2\"<3>\tz\nq\r 'y' \xc3\xa9\xe2\x98\x83");
}

TEST_F(Caom2XmlWriter, EmptyTextKeepsBothTags) {
    target_name() = Value::of_string("");
    EXPECT_EQ(line_with(write_observation_xml(*obs_), "<caom2:name></caom2:name>"), "    <caom2:name></caom2:name>");
}

TEST_F(Caom2XmlWriter, EmptyObjectKeepsBothTags) {
    obs_->state.slot("environment") = Value{};
    obs_->state.object("environment");  // present, but no element in it
    const std::string doc = write_observation_xml(*obs_);
    EXPECT_NE(doc.find("\n  <caom2:environment>\n  </caom2:environment>\n"), std::string::npos);
}

TEST_F(Caom2XmlWriter, EntityWithoutElementsKeepsBothTags) {
    Entity& chunk = obs_->children[0].children[0].children[0].children[0];
    chunk.state = Object("Chunk");
    const std::string doc = write_observation_xml(*obs_);
    const std::string id = uuid_text(chunk.id);
    const std::size_t at = doc.find("<caom2:chunk caom2:id=\"" + id + "\"");
    ASSERT_NE(at, std::string::npos);
    const std::size_t end = doc.find("</caom2:chunk>\n", at);
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(doc.substr(doc.find('>', at), end - doc.find('>', at)), ">\n                ");
}
