-- obsmeta install script, part 82: CAOM-2.4 XML documents (namespace
-- http://www.opencadc.org/caom2/xml/v2.4), written and read in C++ with libxml2.

CREATE OR REPLACE FUNCTION caom2.observation_xml(collection text, observation_id text) RETURNS xml
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_observation_xml' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.observation_xml(text, text) IS
    'The CAOM-2.4 XML document of one observation the caller may see (error P0002 when missing or embargoed)';
CREATE OR REPLACE FUNCTION caom2.observation_xml(obs_id uuid) RETURNS xml
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_observation_xml_by_id' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.observation_xml(uuid) IS 'caom2.observation_xml by observation id';

CREATE OR REPLACE FUNCTION caom2.check_observation_xml(doc text)
    RETURNS TABLE (entity text, id uuid, which text, stored text, computed text)
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_check_observation_xml' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.check_observation_xml(text) IS
    'Reads a CAOM-2.4 document without storing it and lists its checksums that do not match its content';

CREATE OR REPLACE FUNCTION caom2.import_observation_xml(doc text, on_mismatch text DEFAULT 'reject', replace boolean DEFAULT false)
    RETURNS uuid
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_import_observation_xml' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION caom2.import_observation_xml(text, text, boolean) IS
    'Loads a CAOM-2.4 document into caom2 (on_mismatch: reject | report; replace: replace an existing observation); returns its id';
CREATE OR REPLACE FUNCTION caom2.import_observation_xml(doc xml, on_mismatch text DEFAULT 'reject', replace boolean DEFAULT false)
    RETURNS uuid LANGUAGE sql VOLATILE STRICT AS
    $$ SELECT caom2.import_observation_xml($1::text, $2, $3) $$;

REVOKE EXECUTE ON FUNCTION caom2.import_observation_xml(text, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION caom2.import_observation_xml(xml, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caom2.import_observation_xml(text, text, boolean) TO obsmeta_writer;
GRANT EXECUTE ON FUNCTION caom2.import_observation_xml(xml, text, boolean) TO obsmeta_writer;
