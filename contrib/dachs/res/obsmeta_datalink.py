"""The DataLink core of q.rd's service dl: DaCHS's datalinkCore, with the links of a dataset read
from obsmeta.datalink_links and the service descriptors of the external services those links name.

Why a custom core (DaCHS's "Writing Custom Cores"): DaCHS 2.7 writes service descriptors
(RESOURCE type="meta" utype="adhoc:service") only for its own dlget/dlasync renderers, with its own
URL as accessURL. obsmeta's #cutout rows name an external SODA service (service_def, configured in
obsmeta.datalink_config); its descriptor is in obsmeta.datalink_descriptors, one row per input
parameter. This core writes one descriptor per service_def of the links it returns, with the ID
attribute the rows' service_def refers to and the ID parameter referring to the links table's ID
column (DataLink 1.1: the same descriptor serves every dataset of the document).

Everything is read with DaCHS's trusted connection, whose role is a member of obsmeta_reader
(public server) or reads obsmeta through a member of obsmeta_staff (staff server): row-level
security decides. No visible link of a dataset (unknown, or embargoed for this server) is a
NotFoundFault, and no descriptor is written for it.
"""
from gavo import base
from gavo.protocols import datalink
from gavo.votable import V

LINKS_SQL = ("SELECT access_url, service_def, error_message, description, semantics,"
             " content_type, content_length, local_semantics"
             " FROM obsmeta.datalink_links WHERE id = %(id)s ORDER BY semantics, access_url")

DESCRIPTORS_SQL = ("SELECT service_def, access_url, standard_id, param_name, datatype, arraysize,"
                   " xtype, unit, ucd, value_ref"
                   " FROM obsmeta.datalink_descriptors WHERE service_def = ANY(%(defs)s)")

# value_ref of obsmeta.datalink_descriptors -> the ID of the links table's FIELD it refers to
# (DaCHS's //datalink#dlresponse gives each FIELD its name as ID)
LINKS_FIELD_ID = {"id": "ID"}


class Core(datalink.DatalinkCore):
    """DaCHS's datalink core with obsmeta's links and external service descriptors."""

    def completeElement(self, ctx):
        # every identifier is looked up in obsmeta.datalink_links (getMetaForDescriptor); DaCHS's
        # default generator would parse it as one of DaCHS's own product identifiers
        if self.descriptorGenerator is base.NotGiven:
            self.descriptorGenerator = base.makeStruct(
                datalink.DescriptorGenerator, parent_=self,
                code="return ProductDescriptor(pubDID, None, None, None)")
        super().completeElement(ctx)

    def getMetaForDescriptor(self, descriptor):
        did = descriptor.pubDID
        with base.getTableConn() as conn:
            rows = list(conn.query(LINKS_SQL, {"id": did}))
        if not rows:
            return [], self.inputKeys[:], [datalink.DatalinkFault.NotFoundFault(
                did, "No dataset with this identifier is visible to this service", semantics="#this")]
        links = [datalink.LinkDef(did, url, serviceType=sdef, errorMessage=err, description=desc,
                                  semantics=sem, contentType=ctype, contentLength=clen,
                                  localSemantics=lsem)
                 for url, sdef, err, desc, sem, ctype, clen, lsem in rows]
        return links, self.inputKeys[:], []

    def runForMeta(self, service, inputTable, queryMeta):
        # DaCHS answers text/xml to any client whose Accept header names text/html (Java's default
        # does: TOPCAT, stilts); DataLink's type unless RESPONSEFORMAT asks otherwise. Browsers
        # still get HTML: the dlmeta renderer transforms the document for them itself.
        mime, payload = super().runForMeta(service, inputTable, queryMeta)
        if mime == "text/xml" and not inputTable.getParam("responseformat"):
            mime = self.datalinkType
        return mime, payload

    def _iterAutoLinks(self, descriptor, service):
        # #this comes from obsmeta.datalink_links; DaCHS's automatic #this/#preview needs a
        # product of its own
        return iter(())

    def _iterAccessResources(self, ctx, service):
        yield from super()._iterAccessResources(ctx, service)
        defs = sorted({link.dlRow["serviceType"] for link in self.datalinkLinks
                       if link.dlRow["serviceType"]})
        if not defs:
            return
        with base.getTableConn() as conn:
            params = list(conn.query(DESCRIPTORS_SQL, {"defs": defs}))
        for sdef in defs:
            mine = [p for p in params if p[0] == sdef]
            if mine:
                yield self._descriptor(sdef, mine)

    @staticmethod
    def _descriptor(sdef, params):
        """the RESOURCE of one external service; params: its rows of obsmeta.datalink_descriptors"""
        _, access_url, standard_id = params[0][:3]
        inputs = V.GROUP(name="inputParams")
        for _, _, _, name, datatype, arraysize, xtype, unit, ucd, value_ref in params:
            attrs = {"name": name, "datatype": datatype, "value": ""}
            for key, value in (("arraysize", arraysize), ("xtype", xtype), ("unit", unit), ("ucd", ucd)):
                if value:
                    attrs[key] = value
            if value_ref:
                attrs["ref"] = LINKS_FIELD_ID.get(value_ref, value_ref)
            inputs[V.PARAM(**attrs)]
        return V.RESOURCE(ID=sdef, name=sdef, type="meta", utype="adhoc:service")[
            V.DESCRIPTION["The service named %s in the service_def of this document's links (%s)"
                          % (sdef, standard_id)],
            V.PARAM(name="standardID", datatype="char", arraysize="*", value=standard_id),
            V.PARAM(name="accessURL", datatype="char", arraysize="*", ucd="meta.ref.url",
                    value=access_url),
            inputs]
