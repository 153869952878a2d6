<?xml version="1.0" encoding="utf-8"?>
<!-- obsmeta's ivoa.obscore published by GAVO DaCHS, metadata only (`dachs imp -m q`).
     The table is created and maintained by the obsmeta extension in DaCHS's `gavo` database;
     DaCHS never writes it. Do not `dachs drop`/`dachs purge` this RD (that drops the table);
     `dachs drop -f` only unpublishes. Never import DaCHS's own //obscore into this database. -->
<resource schema="ivoa" resdir="obsmeta">
  <meta name="title">obsmeta ObsCore (Rubin CAOM2 via obsmeta)</meta>
  <meta name="description">ObsCore 1.1 table maintained incrementally by the obsmeta PostgreSQL
    extension from CAOM2; row-level security hides embargoed rows from TAP users.</meta>
  <meta name="creationDate">2026-11-24T00:00:00</meta>
  <meta name="subject">observational-astronomy</meta>
  <meta name="creator.name">obsmeta</meta>

  <table id="obscore" onDisk="True" adql="True">
    <property key="supportsModel">Obscore-1.1</property>
    <property key="supportsModelURI">ivo://ivoa.net/std/obscore#core-1.1</property>
    <meta name="utype">ivo://ivoa.net/std/obscore#table-1.1</meta>
    <!-- TAP results with obs_publisher_did carry the descriptor of the DataLink service dl -->
    <meta name="_associatedDatalinkService">
      <meta name="serviceId">dl</meta>
      <meta name="idColumn">obs_publisher_did</meta>
    </meta>
    <meta name="description">IVOA ObsCore 1.1 + Rubin lsst_* columns, one row per detector image
      file, one per plane of products without detectors. Maintained by obsmeta.</meta>
    <column original="//obscore#ObsCore.dataproduct_type"/>
    <column original="//obscore#ObsCore.calib_level" type="integer"/>
    <column original="//obscore#ObsCore.obs_collection"/>
    <column original="//obscore#ObsCore.obs_id"/>
    <column original="//obscore#ObsCore.obs_publisher_did"/>
    <column original="//obscore#ObsCore.access_url"/>
    <column original="//obscore#ObsCore.access_format"/>
    <column original="//obscore#ObsCore.access_estsize"/>
    <column original="//obscore#ObsCore.target_name"/>
    <column original="//obscore#ObsCore.s_ra"/>
    <column original="//obscore#ObsCore.s_dec"/>
    <column original="//obscore#ObsCore.s_fov"/>
    <!-- s_region is obsmeta's pg_sphere spoly (GiST-indexed): ADQL geometry on it becomes pg_sphere
         operators. Declared as DaCHS's own ObsCore s_region (xtype adql:REGION, no unit): DaCHS
         writes the spoly as STC-S text, which is what taplint's ObsCore 1.1 stage requires
         (double[*] xtype polygon unit deg gives E-OBS-TYPX and E-OBS-CUNI). -->
    <column original="//obscore#ObsCore.s_region"/>
    <column original="//obscore#ObsCore.s_resolution"/>
    <column original="//obscore#ObsCore.s_xel1"/>
    <column original="//obscore#ObsCore.s_xel2"/>
    <!-- DaCHS's definition without its xtype="mjd", which TAP_SCHEMA does not carry (taplint W-MDQ-DRXT) -->
    <!-- t_min/t_max: DaCHS's definitions without their xtype="mjd", which TAP_SCHEMA does not carry
         (taplint W-MDQ-DRXT: declared null, result mjd) -->
    <column name="t_min" type="double precision" unit="d" ucd="time.start;obs.exposure"
      utype="obscore:char.timeaxis.coverage.bounds.limits.starttime"
      description="Lower bound of times represented in the data set, as MJD"/>
    <column name="t_max" type="double precision" unit="d" ucd="time.end;obs.exposure"
      utype="obscore:char.timeaxis.coverage.bounds.limits.stoptime"
      description="Upper bound of times represented in the data set, as MJD"/>
    <column original="//obscore#ObsCore.t_exptime" type="double precision"/>
    <column original="//obscore#ObsCore.t_resolution" type="double precision"/>
    <column original="//obscore#ObsCore.t_xel"/>
    <column original="//obscore#ObsCore.em_min"/>
    <column original="//obscore#ObsCore.em_max"/>
    <column original="//obscore#ObsCore.em_res_power"/>
    <column original="//obscore#ObsCore.em_xel"/>
    <column original="//obscore#ObsCore.o_ucd"/>
    <column original="//obscore#ObsCore.pol_states"/>
    <column original="//obscore#ObsCore.pol_xel"/>
    <column original="//obscore#ObsCore.facility_name"/>
    <column original="//obscore#ObsCore.instrument_name"/>
    <column original="//obscore#ObsCore.obs_creator_did"/>
    <column original="//obscore#ObsCore.preview"/>
    <!-- a UTC timestamp without time zone in obsmeta too: DaCHS writes it as a DALI timestamp
         (isoformat of a naive datetime); a timestamptz would carry a +00:00 offset -->
    <column name="obs_release_date" type="timestamp" ucd="time.release"
      utype="obscore:curation.releasedate" description="Date the data is/was public"/>
    <column name="lsst_visit" type="bigint" ucd="meta.id;obs" description="Rubin visit id">
      <values nullLiteral="-1"/></column>
    <column name="lsst_exposure" type="bigint" ucd="meta.id;obs" description="Rubin exposure id">
      <values nullLiteral="-1"/></column>
    <column name="lsst_detector" type="integer" ucd="meta.id;instr.det" description="Rubin detector number">
      <values nullLiteral="-1"/></column>
    <column name="lsst_band" type="text" ucd="instr.bandpass" description="Rubin band"/>
    <column name="lsst_physical_filter" type="text" ucd="instr.filter" description="Rubin physical filter"/>
    <column name="lsst_tract" type="integer" ucd="meta.id" description="Skymap tract (coadds)">
      <values nullLiteral="-1"/></column>
    <column name="lsst_patch" type="integer" ucd="meta.id" description="Skymap patch (coadds)">
      <values nullLiteral="-1"/></column>
    <column name="s_region_stcs" type="text" ucd="pos.outline;obs.field"
      description="s_region as STC-S text (POLYGON ICRS ra dec ..., degrees)"/>
    <column name="s_center" type="spoint" xtype="point" unit="deg" ucd="pos.eq;meta.main"
      description="Central position (s_ra, s_dec) as a point"/>
    <!-- adql:REGION (STC-S), like s_region: as a DALI polygon (double[*], xtype polygon) stilts
         3.4.7's validator rejects DaCHS 2.7's BINARY/BINARY2 streams of it (E-Q*-YMEL, "negative
         element count") and its TABLEDATA nulls (E-Q*-YFP0) -->
    <column name="s_region_spoly" type="spoly" xtype="adql:REGION" ucd="pos.outline;obs.field"
      description="Deprecated alias of s_region (its name in obsmeta 0.2.0); not indexed: use s_region"/>
  </table>

  <!-- DataLink 1.1: the links of one obs_publisher_did are the rows of obsmeta.datalink_links
       (obsmeta's database side: #this, #progenitor/#derivation, #auxiliary EFD values, the
       #cutout row), and the service descriptor of the external cutout (SODA) service the #cutout
       rows name comes from obsmeta.datalink_descriptors: res/obsmeta_datalink.py, DaCHS's
       datalinkCore with those two additions. Read as DaCHS's trusted role, a member of
       obsmeta_reader here (of obsmeta_staff through the staff server's foreign tables), so
       row-level security decides; an identifier with no row (unknown, or not visible to this
       server) is a NotFoundFault, with no descriptor. ObsCore's access_url points here when
       obsmeta.obscore_config.access_mode = 'datalink'. -->
  <service id="dl" allowed="dlmeta">
    <meta name="title">obsmeta DataLink</meta>
    <meta name="description">Links of obsmeta's ObsCore datasets: their files, the raw's and the
      visit's related products, reduced EFD telemetry, and a cutout service.</meta>
    <customCore module="res/obsmeta_datalink"/>
  </service>

  <!-- no sources: `dachs imp -m q` only writes DaCHS's metadata (dc.tablemeta, tap_schema) -->
  <data id="import">
    <make table="obscore"/>
  </data>
</resource>
