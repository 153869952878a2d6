#include "caom2/schema.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {
namespace {

using V = std::vector<const char*>;
constexpr bool kReq = true;

FieldSpec scalar(const char* xml, Kind kind, bool req = false, V values = {}) {
    FieldSpec f;
    f.xml = f.java = xml;
    f.kind = kind;
    f.required = req;
    f.values = std::move(values);
    return f;
}
FieldSpec str(const char* xml, bool req = false, V values = {}) { return scalar(xml, Kind::String, req, std::move(values)); }
FieldSpec uri(const char* xml, bool req = false) { return scalar(xml, Kind::Uri, req); }
FieldSpec i32(const char* xml, bool req = false, V values = {}) { return scalar(xml, Kind::Int32, req, std::move(values)); }
FieldSpec i64(const char* xml, bool req = false) { return scalar(xml, Kind::Int64, req); }
FieldSpec dbl(const char* xml, bool req = false) { return scalar(xml, Kind::Double, req); }
FieldSpec boolean(const char* xml) { return scalar(xml, Kind::Bool); }
FieldSpec date(const char* xml) { return scalar(xml, Kind::Date); }
FieldSpec obj(const char* xml, const char* type, bool req = false) {
    FieldSpec f = scalar(xml, Kind::Object, req);
    f.type = type;
    return f;
}
FieldSpec objects(const char* xml, const char* item_xml, const char* type, bool req = false) {
    FieldSpec f = scalar(xml, Kind::List, req);
    f.item = Kind::Object;
    f.item_xml = item_xml;
    f.type = type;
    return f;
}
FieldSpec values(const char* xml, const char* item_xml, Kind item, Order order, V allowed = {}) {
    FieldSpec f = scalar(xml, Kind::List, false, std::move(allowed));
    f.item = item;
    f.item_xml = item_xml;
    f.order = order;
    return f;
}
FieldSpec keywords() { return values("keywords", "keyword", Kind::String, Order::Sorted); }
FieldSpec groups(const char* xml) { return values(xml, "groupURI", Kind::Uri, Order::Sorted); }
FieldSpec children(const char* xml, const char* item_xml, const char* type) {
    FieldSpec f = scalar(xml, Kind::Children);
    f.item_xml = item_xml;
    f.type = type;
    return f;
}

const V kEnergyBands = {"Radio", "Millimeter", "Infrared", "Optical", "UV", "EUV", "X-ray", "Gamma-ray"};
const V kPolarizationStates = {"I",  "Q",  "U",  "V",  "RR", "LL",   "RL",    "LR",    "XX",
                               "YY", "XY", "YX", "POLI", "FPOLI", "EPOLI", "CPOLI", "NPOLI"};

std::vector<FieldSpec> observation_fields() {
    return {str("collection", kReq),
            str("observationID", kReq),
            date("metaRelease"),
            groups("metaReadGroups"),
            i32("sequenceNumber"),
            obj("algorithm", "Algorithm", kReq),
            str("type"),
            str("intent", false, {"science", "calibration"}),
            obj("proposal", "Proposal"),
            obj("target", "Target"),
            obj("targetPosition", "TargetPosition"),
            obj("requirements", "Requirements"),
            obj("telescope", "Telescope"),
            obj("instrument", "Instrument"),
            obj("environment", "Environment"),
            children("planes", "plane", "Plane")};
}

std::map<std::string, TypeSpec, std::less<>> build() {
    std::map<std::string, TypeSpec, std::less<>> m;
    auto add = [&m](const char* name, std::vector<FieldSpec> fields, bool entity = false, const char* base = nullptr) -> TypeSpec& {
        TypeSpec& t = m[name];
        t.name = name;
        t.base = base;
        t.entity = entity;
        t.fields = std::move(fields);
        return t;
    };
    // Observation
    add("SimpleObservation", observation_fields(), true);
    {
        auto f = observation_fields();
        f.push_back(values("members", "observationURI", Kind::Uri, Order::Sorted));
        add("DerivedObservation", std::move(f), true);
    }
    add("Algorithm", {str("name", kReq)});
    add("Proposal", {str("id", kReq), str("pi"), str("project"), str("title"), keywords()});
    add("Target", {str("name", kReq), uri("targetID"), str("type", false, {"object", "field"}), boolean("standard"),
                   dbl("redshift"), boolean("moving"), keywords()});
    add("TargetPosition", {str("coordsys", kReq), dbl("equinox"), obj("coordinates", "Point", kReq)});
    add("Requirements", {str("flag", kReq, {"fail"})});
    add("Telescope", {str("name", kReq), dbl("geoLocationX"), dbl("geoLocationY"), dbl("geoLocationZ"), keywords()});
    add("Instrument", {str("name", kReq), keywords()});
    add("Environment", {dbl("seeing"), dbl("humidity"), dbl("elevation"), dbl("tau"), dbl("wavelengthTau"),
                        dbl("ambientTemp"), boolean("photometric")});
    // Plane
    add("Plane",
        {str("productID", kReq), uri("creatorID"), date("metaRelease"), groups("metaReadGroups"), date("dataRelease"),
         groups("dataReadGroups"), str("dataProductType"), i32("calibrationLevel", false, {"-1", "0", "1", "2", "3", "4"}),
         obj("provenance", "Provenance"), obj("observable", "Observable"), obj("metrics", "Metrics"),
         obj("quality", "DataQuality"), obj("position", "Position"), obj("energy", "Energy"), obj("time", "Time"),
         obj("polarization", "Polarization"), obj("custom", "CustomAxis"), children("artifacts", "artifact", "Artifact")},
        true);
    add("Provenance", {str("name", kReq), str("version"), str("project"), str("producer"), str("runID"), uri("reference"),
                       date("lastExecuted"), keywords(), values("inputs", "planeURI", Kind::Uri, Order::Sorted)});
    add("Metrics", {dbl("sourceNumberDensity"), dbl("background"), dbl("backgroundStddev"), dbl("fluxDensityLimit"),
                    dbl("magLimit"), dbl("sampleSNR")});
    add("EnergyTransition", {str("species", kReq), str("transition", kReq)});
    add("DataQuality", {str("flag", kReq, {"junk"})});
    add("Observable", {str("ucd", kReq)});
    add("Point", {dbl("cval1", kReq), dbl("cval2", kReq)});
    add("Vertex", {dbl("cval1", kReq), dbl("cval2", kReq), i32("type", kReq, {"0", "1", "2"})});
    add("Circle", {obj("center", "Point", kReq), dbl("radius", kReq)}, false, "Shape");
    add("MultiPolygon", {objects("vertices", "vertex", "Vertex", kReq)});
    add("Polygon", {objects("points", "point", "Point", kReq), obj("samples", "MultiPolygon", kReq)}, false, "Shape");
    add("Position", {obj("bounds", "Shape"), obj("dimension", "Dimension2D"), dbl("resolution"),
                     obj("resolutionBounds", "Interval"), dbl("sampleSize"), boolean("timeDependent")});
    add("Interval", {dbl("lower", kReq), dbl("upper", kReq)});
    add("SampledInterval", {dbl("lower", kReq), dbl("upper", kReq), objects("samples", "sample", "Interval", kReq)});
    add("Energy", {obj("bounds", "SampledInterval"), i64("dimension"), dbl("resolvingPower"),
                   obj("resolvingPowerBounds", "Interval"), dbl("sampleSize"), str("bandpassName"),
                   values("energyBands", "emBand", Kind::String, Order::EnumOrdinal, kEnergyBands), dbl("restwav"),
                   obj("transition", "EnergyTransition")});
    add("Time", {obj("bounds", "SampledInterval"), i64("dimension"), dbl("resolution"), obj("resolutionBounds", "Interval"),
                 dbl("sampleSize"), dbl("exposure")});
    add("Polarization", {values("states", "state", Kind::String, Order::Document, kPolarizationStates), i64("dimension")});
    add("CustomAxis", {str("ctype", kReq), obj("bounds", "SampledInterval"), i64("dimension")});
    // Artifact, Part, Chunk
    add("Artifact",
        {uri("uri", kReq), str("productType", kReq), str("releaseType", kReq, {"data", "meta"}), date("contentRelease"),
         groups("contentReadGroups"), str("contentType"), i64("contentLength"), uri("contentChecksum"),
         children("parts", "part", "Part")},
        true);
    add("Part", {str("name", kReq), str("productType"), children("chunks", "chunk", "Chunk")}, true);
    add("Chunk",
        {str("productType"), i32("naxis"), i32("observableAxis"), i32("positionAxis1"), i32("positionAxis2"),
         i32("energyAxis"), i32("timeAxis"), i32("polarizationAxis"), i32("customAxis"), obj("observable", "ObservableAxis"),
         obj("position", "SpatialWCS"), obj("energy", "SpectralWCS"), obj("time", "TemporalWCS"),
         obj("polarization", "PolarizationWCS"), obj("custom", "CustomWCS")},
        true);
    add("ObservableAxis", {obj("dependent", "Slice", kReq), obj("independent", "Slice")});
    add("SpatialWCS", {obj("axis", "CoordAxis2D", kReq), str("coordsys"), dbl("equinox"), dbl("resolution")});
    add("SpectralWCS", {obj("axis", "CoordAxis1D", kReq), str("specsys", kReq), str("ssysobs"), str("ssyssrc"),
                        dbl("restfrq"), dbl("restwav"), dbl("velosys"), dbl("zsource"), dbl("velang"),
                        str("bandpassName"), dbl("resolvingPower"), obj("transition", "EnergyTransition")});
    add("TemporalWCS", {obj("axis", "CoordAxis1D", kReq), str("timesys"), str("trefpos"), dbl("mjdref"), dbl("exposure"),
                        dbl("resolution")});
    add("PolarizationWCS", {obj("axis", "CoordAxis1D", kReq)});
    add("CustomWCS", {obj("axis", "CoordAxis1D", kReq)});
    // WCS building blocks
    add("Axis", {str("ctype", kReq), str("cunit")});
    add("ValueCoord2D", {dbl("coord1", kReq), dbl("coord2", kReq)});
    add("Coord2D", {obj("coord1", "RefCoord", kReq), obj("coord2", "RefCoord", kReq)});
    add("CoordAxis1D", {obj("axis", "Axis", kReq), obj("error", "CoordError"), obj("range", "CoordRange1D"),
                        obj("bounds", "CoordBounds1D"), obj("function", "CoordFunction1D")});
    add("CoordAxis2D", {obj("axis1", "Axis", kReq), obj("axis2", "Axis", kReq), obj("error1", "CoordError"),
                        obj("error2", "CoordError"), obj("range", "CoordRange2D"), obj("bounds", "CoordBounds2D"),
                        obj("function", "CoordFunction2D")});
    add("CoordBounds1D", {objects("samples", "range", "CoordRange1D", kReq)});
    add("CoordBounds2D", {obj("circle", "CoordCircle2D"), obj("polygon", "CoordPolygon2D")}).choice = true;
    add("CoordCircle2D", {obj("center", "ValueCoord2D", kReq), dbl("radius", kReq)});
    add("CoordError", {dbl("syser"), dbl("rnder")});
    add("CoordFunction1D", {i64("naxis", kReq), dbl("delta", kReq), obj("refCoord", "RefCoord", kReq)});
    add("CoordFunction2D", {obj("dimension", "Dimension2D", kReq), obj("refCoord", "Coord2D", kReq), dbl("cd11"),
                            dbl("cd12"), dbl("cd21"), dbl("cd22")});
    add("CoordPolygon2D", {objects("vertices", "vertex", "ValueCoord2D", kReq)});
    add("CoordRange1D", {obj("start", "RefCoord", kReq), obj("end", "RefCoord", kReq)});
    add("CoordRange2D", {obj("start", "Coord2D", kReq), obj("end", "Coord2D", kReq)});
    add("Dimension2D", {i64("naxis1", kReq), i64("naxis2", kReq)});
    add("RefCoord", {dbl("pix", kReq), dbl("val", kReq)});
    add("Slice", {obj("axis", "Axis", kReq), i64("bin", kReq)});

    for (auto& entry : m) {
        TypeSpec& t = entry.second;  // not a structured binding: lambdas cannot capture those before C++20
        t.checksum_order.clear();
        for (int i = 0; i < static_cast<int>(t.fields.size()); ++i)
            if (t.fields[i].kind != Kind::Children) t.checksum_order.push_back(i);
        // Java's String.compareTo on ASCII names is byte order.
        std::sort(t.checksum_order.begin(), t.checksum_order.end(),
                  [&t](int a, int b) { return std::strcmp(t.fields[a].java, t.fields[b].java) < 0; });
    }
    return m;
}

const std::map<std::string, TypeSpec, std::less<>>& registry() {
    static const auto m = build();
    return m;
}

}  // namespace

int TypeSpec::index_of(std::string_view xml_name) const {
    for (int i = 0; i < static_cast<int>(fields.size()); ++i)
        if (xml_name == fields[i].xml) return i;
    return -1;
}

const TypeSpec& type_spec(std::string_view name) {
    const auto& m = registry();
    auto it = m.find(name);
    if (it == m.end()) throw std::out_of_range("unknown CAOM-2.4 type " + std::string(name));
    return it->second;
}

bool has_type(std::string_view name) { return registry().count(name) > 0; }

}  // namespace obsmeta::caom2
