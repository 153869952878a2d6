// Unit tests for the YAML reader (libyaml) and Rubin's transformed-EFD configuration, including the
// real LSSTCam file (../shared/anchors/efd/consdb_transformed_efd_config_lsstcam.yaml).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "efd/consdb_config.hpp"
#include "efd/yaml_tree.hpp"

#ifndef OBSMETA_SHARED_DIR
#define OBSMETA_SHARED_DIR ""
#endif

using namespace obsmeta::efd;

TEST(EfdYaml, BlockAndFlowForms) {
    auto doc = yaml::parse(
        "# comment\n"
        "version: 1.1.0\n"
        "columns:\n"
        "- name: a   # trailing comment\n"
        "  tables: [\"x\", y]\n"
        "  args: {\"degree\": 4, \"fit_basis\": \"index\"}\n"
        "  unit: \"\\\"%\\\"\"\n"
        "  text: it's long\n"
        "    and continues\n"
        "  list:\n"
        "  - name: f1\n"
        "  - name: 'f # 2'\n"
        "- name: b\n");
    ASSERT_TRUE(doc.is_mapping());
    EXPECT_EQ(doc.find("version")->scalar, "1.1.0");
    const auto* cols = doc.find("columns");
    ASSERT_TRUE(cols && cols->is_sequence());
    ASSERT_EQ(cols->items.size(), 2u);
    const auto& a = cols->items[0];
    EXPECT_EQ(a.find("tables")->items[1].scalar, "y");
    EXPECT_EQ(a.find("args")->find("degree")->scalar, "4");
    EXPECT_EQ(a.find("unit")->scalar, "\"%\"");
    EXPECT_EQ(a.find("text")->scalar, "it's long and continues");
    EXPECT_EQ(a.find("list")->items[1].find("name")->scalar, "f # 2");
    EXPECT_EQ(cols->items[1].find("name")->scalar, "b");
}

TEST(EfdYaml, ErrorsCarryLineNumbers) {
    try {
        yaml::parse("a: 1\nb: [1, 2\n");
        FAIL() << "expected an error";
    } catch (const yaml::YamlError& e) {
        EXPECT_EQ(e.line(), 2);
    }
    EXPECT_THROW(yaml::parse("a: &anchor 1\n"), yaml::YamlError);
    EXPECT_THROW(yaml::parse("a: 1\na: 2\n"), yaml::YamlError);
    EXPECT_THROW(yaml::parse("a:\n\tb: 1\n"), yaml::YamlError);
}

// Issue 13: 100,000 nested flow sequences overflowed the recursive hand-written parser's stack.
TEST(EfdYaml, NestingIsLimitedNotRecursive) {
    const std::string deep = "columns: " + std::string(100000, '[') + std::string(100000, ']');
    EXPECT_THROW(yaml::parse(deep), yaml::DepthError);
    EXPECT_THROW(parse_consdb_config(deep), yaml::DepthError);
    try {
        yaml::parse("a: [[[1]]]\n", 3);
        FAIL() << "expected DepthError";
    } catch (const yaml::DepthError& e) {
        EXPECT_EQ(e.limit(), 3);
        EXPECT_EQ(e.line(), 1);
    }
    EXPECT_EQ(yaml::parse("a: [[1]]\n", 3).find("a")->items[0].items[0].scalar, "1");
    // the limit is configurable upward: 5,000 levels parse without touching the C++ stack
    const std::string five_k = std::string(5000, '[') + std::string(5000, ']');
    EXPECT_TRUE(yaml::parse(five_k, 5001).is_sequence());
}

TEST(EfdYaml, AliasesAndMultipleDocumentsAreRefused) {
    EXPECT_THROW(yaml::parse("a: &x [1]\nb: *x\n"), yaml::YamlError);
    EXPECT_THROW(yaml::parse("a: 1\n---\nb: 2\n"), yaml::YamlError);
    EXPECT_THROW(yaml::parse("? [1]\n: 2\n"), yaml::YamlError);
    EXPECT_TRUE(yaml::parse("").is_null());
    EXPECT_TRUE(yaml::parse("a:\n").find("a")->is_null());
}

TEST(EfdConsdbConfig, RejectsBadColumns) {
    EXPECT_THROW(parse_consdb_config("columns:\n- name: x\n  tables: [a]\n  function: mean\n"), ConfigError);
    EXPECT_THROW(parse_consdb_config("version: 1\n"), ConfigError);
    EXPECT_THROW(parse_consdb_config("columns:\n- name: x\n  tables: [a]\n  function: mean\n  colour: red\n"
                                     "  topics:\n  - name: t\n    fields:\n    - name: f\n"),
                 ConfigError);
    EXPECT_EQ(parse_duration_seconds("1s"), 1.0);
    EXPECT_EQ(parse_duration_seconds("2min"), 120.0);
    EXPECT_FALSE(parse_duration_seconds("soon"));
}

TEST(EfdConsdbConfig, ReadsRubinLsstCamConfig) {
    std::ifstream in(std::string(OBSMETA_SHARED_DIR) + "/anchors/efd/consdb_transformed_efd_config_lsstcam.yaml");
    if (!in) GTEST_SKIP() << "anchor file not available";
    std::stringstream buf;
    buf << in.rdbuf();
    ConsdbConfig config = parse_consdb_config(buf.str());
    EXPECT_EQ(config.version, "1.1.0");
    ASSERT_EQ(config.columns.size(), 491u);
    std::map<std::string, int> functions;
    int subsets = 0, unpivoted = 0, offsets = 0, pre_aggregated = 0, multi_instance = 0;
    for (const auto& c : config.columns) {
        ++functions[c.function];
        subsets += !c.subset_field.empty();
        unpivoted += c.store_unpivoted;
        offsets += c.start_offset_hours.has_value();
        pre_aggregated += c.pre_aggregate_seconds.has_value();
        multi_instance += c.subset_values.size() > 1;
        EXPECT_FALSE(c.topics.empty()) << c.name;
    }
    EXPECT_EQ(functions["mean"], 153);
    EXPECT_EQ(functions["max"], 99);
    EXPECT_EQ(functions["min"], 99);
    EXPECT_EQ(functions["stddev"], 99);
    EXPECT_EQ(functions["most_recent_value"], 33);
    EXPECT_EQ(functions["rms_from_polynomial_fit"], 8);
    EXPECT_EQ(subsets, 353);
    EXPECT_EQ(unpivoted, 18);
    EXPECT_EQ(offsets, 33);
    EXPECT_EQ(pre_aggregated, 19);
    EXPECT_EQ(multi_instance, 97);

    const auto& jitter = config.columns[0];
    EXPECT_EQ(jitter.name, "mt_azimuth_encoder_absolute_position_0_rms_jitter");
    EXPECT_EQ(jitter.function_args.at("degree"), "4");
    EXPECT_EQ(jitter.function_args.at("fit_basis"), "index");
    EXPECT_EQ(jitter.unit, "");
    EXPECT_EQ(jitter.ucd, "stat.rms");
    EXPECT_EQ(jitter.topics[0].name, "lsst.sal.MTMount.encoder");
    EXPECT_EQ(jitter.topics[0].fields, std::vector<std::string>{"azimuthEncoderAbsolutePosition0"});

    const auto& sonic = config.columns[8];
    EXPECT_EQ(sonic.name, "mt_salindex110_sonic_temperature_mean");
    EXPECT_EQ(sonic.subset_field, "salIndex");
    EXPECT_EQ(sonic.subset_values, std::vector<long>{110});
    EXPECT_EQ(sonic.tables, (std::vector<std::string>{"exposure_efd", "visit1_efd"}));
    EXPECT_EQ(sonic.topics[0].fields, (std::vector<std::string>{"sonicTemperature", "salIndex"}));
}
