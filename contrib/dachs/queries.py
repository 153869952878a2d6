#!/usr/bin/python3
"""run.sh's client side: ObsTAP queries with pyvo against the public and the staff DaCHS, the
demo hold seen by both, holds and release times taking effect without a restart, and the staff
service's jobs out of reach of anonymous users. Exits non-zero when an expectation fails."""
import argparse
import subprocess
import sys
import time

import astropy.units as u
import pyvo
from pyvo.dal.adhoc import DatalinkQuery, DatalinkResults
from pyvo.dal.exceptions import DALServiceError
import requests

ap = argparse.ArgumentParser()
ap.add_argument("--public", required=True)
ap.add_argument("--staff", required=True)
ap.add_argument("--staff-user", required=True)
ap.add_argument("--staff-password-file", required=True)
args = ap.parse_args()
staff_pw = open(args.staff_password_file).read().strip()
session = requests.Session()
session.auth = (args.staff_user, staff_pw)
public = pyvo.dal.TAPService(args.public)
staff = pyvo.dal.TAPService(args.staff, session=session)
failures = []


def expect(ok, what):
    print(("ok     " if ok else "FAILED ") + what)
    if not ok:
        failures.append(what)


def sql(q):
    """obsmeta's database, as its owner (for holds and release times)."""
    return subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1",
                           "-d", "gavo", "-c", q], check=True, capture_output=True, text=True).stdout.strip()


def count(svc, where):
    return int(svc.run_sync(f"SELECT COUNT(*) AS n FROM ivoa.obscore WHERE {where}")[0]["n"])


# the demo hold's science exposure: where it is
held = sql("SELECT o.s_ra || ' ' || o.s_dec || ' ' || o.obs_id FROM ivoa.obscore o JOIN obsmeta.embargo_hold h ON h.obs_id = o.caom_obs_id"
           " WHERE o.s_region IS NOT NULL AND h.reason = 'DaCHS demo: held science exposure' ORDER BY o.lsst_detector LIMIT 1")
ra, dec, held_obs = held.split()
ra, dec = float(ra), float(dec)
print(f"demo hold: science exposure {held_obs}, a detector at ({ra:.4f}, {dec:.4f})")

for who, svc in (("public", public), ("staff", staff)):
    n = count(svc, "1=1")
    print(f"[{who}] rows in ivoa.obscore: {n}")
    r = svc.run_sync("SELECT TOP 3 obs_publisher_did, s_region, s_region_stcs FROM ivoa.obscore "
                     "WHERE s_region IS NOT NULL ORDER BY obs_publisher_did")
    f1 = next(f for f in r.fielddescs if f.name == "s_region")
    value, ours = r[0]["s_region"], str(r[0]["s_region_stcs"])
    theirs = [float(x) for x in ours.split()[2:]]
    if f1.xtype == "polygon":
        # DALI polygon (run.sh --dali-polygon): astropy gives the vertices as a float array
        verts = [float(x) for x in value]
        shape = f"{type(value).__name__} of {getattr(value, 'dtype', '?')}"
        ok = f1.datatype == "double" and f1.unit == "deg"
    else:
        # adql:REGION: STC-S text, "Polygon ICRS ra dec ..."
        verts = [float(x) for x in str(value).split()[2:]]
        shape = f"STC-S text '{str(value)[:40]}...'"
        ok = f1.xtype == "adql:REGION" and str(value).split()[0].lower() == "polygon"
    pairs = list(zip(verts[0::2], verts[1::2]))
    print(f"[{who}] s_region: VOTable {f1.datatype}[{f1.arraysize}] xtype={f1.xtype} unit={f1.unit}: {shape}")
    print(f"[{who}] as a polygon: {len(pairs)} vertices, first {tuple(round(v, 4) for v in pairs[0])}")
    expect(ok and len(pairs) >= 3 and len(verts) == len(theirs) and all(abs(a - b) < 1e-6 for a, b in zip(verts, theirs)),
           f"[{who}] s_region reaches pyvo as {f1.xtype} with obsmeta's vertices (s_region_stcs)")

circle = f"CIRCLE('ICRS', {ra}, {dec}, 0.05)"
queries = {
    "INTERSECTS(s_region, CIRCLE)": f"INTERSECTS(s_region, {circle}) = 1",
    "CONTAINS(POINT, s_region)": f"CONTAINS(POINT('ICRS', {ra}, {dec}), s_region) = 1",
    "CONTAINS(s_region, CIRCLE 0.3 deg)": f"CONTAINS(s_region, CIRCLE('ICRS', {ra}, {dec}, 0.3)) = 1",
    "INTERSECTS(s_region_spoly, CIRCLE) (0.2.0 alias)": f"INTERSECTS(s_region_spoly, {circle}) = 1",
}
counts = {}
for label, where in queries.items():
    p, s = count(public, where), count(staff, where)
    counts[label] = (p, s)
    print(f"{label}: public {p}, staff {s}")
for label in list(queries)[:3]:
    p, s = counts[label]
    expect(s > p, f"{label}: staff see the held exposure's rows, the public do not ({p} < {s})")
expect(counts["INTERSECTS(s_region_spoly, CIRCLE) (0.2.0 alias)"] == counts["INTERSECTS(s_region, CIRCLE)"],
       "the 0.2.0 column s_region_spoly answers as s_region does")

# holds take effect on both services at once, without a restart
where = queries["CONTAINS(POINT, s_region)"]
before = count(public, where), count(staff, where)
sql(f"SELECT obsmeta.release_hold(obs_id) FROM obsmeta.embargo_hold WHERE reason = 'DaCHS demo: held science exposure'")
lifted = count(public, where), count(staff, where)
sql(f"SELECT obsmeta.hold(caom_obs_id, 'DaCHS demo: held science exposure') FROM ivoa.obscore "
    f"WHERE obs_id = '{held_obs}' AND calib_level = 1 LIMIT 1")
again = count(public, where), count(staff, where)
print(f"CONTAINS(POINT, s_region) public/staff: held {before}, hold lifted {lifted}, held again {again}")
expect(lifted[0] > before[0] and again == before and lifted[1] == before[1],
       "lifting and placing the hold changes what the public see at once; staff see the same rows throughout")

# a release time passes: the rows appear to the public with no job and no restart
other = sql("SELECT caom_obs_id || ' ' || s_ra || ' ' || s_dec FROM ivoa.obscore "
            "WHERE calib_level = 1 AND s_region IS NOT NULL AND visible_from <= now() AND obs_id <> '" + held_obs + "' "
            "ORDER BY obs_id DESC LIMIT 1")
oid, ora, odec = other.split()
w2 = f"CONTAINS(POINT('ICRS', {ora}, {odec}), s_region) = 1"
n0 = count(public, w2)
sql(f"UPDATE caom2.observation SET meta_release = now() + interval '20 seconds' WHERE obs_id = '{oid}'")
n1 = count(public, w2)
time.sleep(22)
n2 = count(public, w2)
print(f"release time 20 s ahead: public rows at that point {n0} -> {n1} -> after it passed {n2}; staff {count(staff, w2)}")
expect(n1 < n0 and n2 == n0, "a future release time hides the rows from the public until it passes, then they appear")

# the staff service: anonymous requests are refused, staff jobs stay on the staff server
anon = requests.get(args.staff + "/sync", params={"LANG": "ADQL", "QUERY": "SELECT COUNT(*) FROM ivoa.obscore"})
expect(anon.status_code == 401, f"anonymous sync query on the staff service: HTTP {anon.status_code}")
for path in ("/async", "/tables", "/capabilities"):
    st = requests.get(args.staff + path).status_code
    expect(st == 401, f"anonymous GET {path} on the staff service: HTTP {st}")
site = args.staff.rsplit("/", 1)[0]
st = requests.get(site + "/__system__/adql/query/form",
                  params={"query": "SELECT COUNT(*) FROM ivoa.obscore", "__nevow_form__": "genForm"}).status_code
expect(st == 401, f"anonymous ADQL form on the staff server: HTTP {st}")
st = requests.get(site + "/__system__/siap2/sitewide/siap2.xml", params={"POS": f"CIRCLE {ra} {dec} 0.1"}).status_code
expect(st == 401, f"anonymous SIAP2 on the staff server: HTTP {st}")
job = staff.submit_job(f"SELECT obs_id, s_region FROM ivoa.obscore WHERE {where}")
job.run()
job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=60)
rows = job.fetch_result()
print(f"staff async job {job.job_id}: {job.phase}, {len(rows)} rows")
expect(job.phase == "COMPLETED" and len(rows) == before[1], "a staff user's async job runs as staff")
for url in (f"{args.staff}/async/{job.job_id}", f"{args.staff}/async/{job.job_id}/results/result",
            f"{args.public}/async/{job.job_id}", f"{args.public}/async/{job.job_id}/results/result"):
    st = requests.get(url).status_code
    expect(st in (401, 404), f"anonymous GET {url}: HTTP {st}")
anon_list = requests.get(args.public + "/async").text
expect(job.job_id not in anon_list, "the public server's job list does not show the staff job")
job.delete()

# DataLink: ObsCore's access_url leads to the links of the dataset; embargo holds there too
r = public.run_sync("SELECT TOP 1 obs_publisher_did, access_url, access_format FROM ivoa.obscore "
                    "WHERE calib_level = 1 AND lsst_visit IS NULL ORDER BY obs_publisher_did")
did, url, fmt = r[0]["obs_publisher_did"], r[0]["access_url"], r[0]["access_format"]
print(f"[public] {did}: access_url {url} ({fmt})")
links = DatalinkResults.from_result_url(url)
sems = sorted(str(x["semantics"]) for x in links)
print(f"[public] its links: {sems}")
expect(fmt == "application/x-votable+xml;content=datalink" and "#this" in sems and "#cutout" in sems,
       "[public] DataLink mode: access_url is the DataLink document, with #this and the #cutout service row")
raw_vis = sql("SELECT o.obs_publisher_did FROM ivoa.obscore o WHERE o.calib_level = 1 AND o.lsst_exposure IN "
              "(SELECT lsst_visit FROM ivoa.obscore WHERE lsst_visit IS NOT NULL AND visible_from <= now()) "
              "AND o.visible_from <= now() ORDER BY o.lsst_detector LIMIT 1")
if raw_vis:
    lr = DatalinkResults.from_result_url(args.public.rsplit("/", 1)[0] + "/obsmeta/q/dl/dlmeta?ID="
                                                  + requests.utils.quote(raw_vis, safe=""))
    rs = sorted(str(x["semantics"]) for x in lr)
    print(f"[public] a raw with a visit: {rs}")
    expect("#derivation" in rs, "[public] a raw's links lead to its visit_image (#derivation)")


SODA_SYNC = "ivo://ivoa.net/std/SODA#sync"


def cutout_descriptor(links):
    """the service descriptor the #cutout row names, or None; checks it is the configured SODA service"""
    rows = [x for x in links if str(x["semantics"]) == "#cutout" and not x["error_message"]]
    if not rows:
        return None, None
    res = links.get_adhocservice_by_id(str(rows[0]["service_def"]))
    return rows[0], res


# the cutout service descriptor of a visible dataset: found by the #cutout row's service_def and by
# SODA's standardID; pyvo builds the cutout request from it (ID from the row, CIRCLE from the user)
cut_url, cut_std = sql("SELECT cutout_url || ' ' || cutout_standard_id FROM obsmeta.datalink_config").split()
row, res = cutout_descriptor(links)
params = {p.name: p for p in res.params} if res is not None else {}
inputs = {p.name: p for p in row.input_params} if row is not None else {}
print(f"[public] {did}: #cutout service_def={row and row['service_def']}, descriptor "
      f"{params.get('accessURL') and params['accessURL'].value} ({params.get('standardID') and params['standardID'].value}), "
      f"input params {sorted(inputs)}")
expect(res is not None and links.get_adhocservice_by_ivoid(SODA_SYNC) is res
       and params["accessURL"].value == cut_url and params["standardID"].value == cut_std
       and set(inputs) == {"ID", "CIRCLE", "POLYGON", "POS"} and inputs["ID"].ref == "ID"
       and (inputs["CIRCLE"].xtype, str(inputs["CIRCLE"].unit)) == ("circle", "deg"),
       "[public] the #cutout row names a SODA sync service descriptor: the configured endpoint, ID (from the row), CIRCLE, POLYGON, POS")
cq = DatalinkQuery.from_resource(row, res, circle=[ra, dec, 0.05] * u.deg)
print(f"[public] cutout request pyvo makes: {cq.baseurl} {dict(cq)}")
expect(cq.baseurl == cut_url and cq["ID"] == did and len(cq["CIRCLE"].split()) == 3,
       "[public] pyvo makes the cutout request from the descriptor (endpoint, the dataset's ID, CIRCLE)")

# ObsCore results carry the DataLink service descriptor (DaCHS: _associatedDatalinkService)
r = public.run_sync(f"SELECT TOP 2 obs_publisher_did, obs_id FROM ivoa.obscore WHERE obs_publisher_did = '{did}'")
try:
    dlsvc = r.get_adhocservice_by_ivoid("ivo://ivoa.net/std/DataLink#links")
    dl_access = {p.name: p.value for p in dlsvc.params}.get("accessURL")
except DALServiceError:
    dlsvc, dl_access = None, None
first = next(r.iter_datalinks(), None) if dlsvc is not None else None
print(f"[public] ObsCore result: DataLink descriptor {dl_access}; its links: "
      f"{first is not None and sorted(str(x['semantics']) for x in first)}")
expect(dlsvc is not None and dl_access.endswith("/obsmeta/q/dl/dlmeta") and first is not None
       and cutout_descriptor(first)[1] is not None,
       "[public] an ObsCore result with obs_publisher_did carries the DataLink descriptor; pyvo follows it to the links and the cutout descriptor")

held_did = sql("SELECT o.obs_publisher_did FROM ivoa.obscore o JOIN obsmeta.embargo_hold h ON h.obs_id = o.caom_obs_id "
               "WHERE h.reason = 'DaCHS demo: held science exposure' ORDER BY o.lsst_detector LIMIT 1")
q = "/obsmeta/q/dl/dlmeta?ID=" + requests.utils.quote(held_did, safe="")
pub = DatalinkResults.from_result_url(args.public.rsplit("/", 1)[0] + q)
pub_rows = [(str(x["semantics"]), str(x["error_message"] or "")) for x in pub]
pub_services = list(pub.iter_adhocservices())
print(f"[public] the held dataset's links: {pub_rows}; service descriptors: {len(pub_services)}")
expect(all(not row[0] or "NotFoundFault" in row[1] for row in pub_rows) and not any(row[0] == "#this" and not row[1] for row in pub_rows),
       "[public] a held dataset's DataLink document is a NotFoundFault, no link")
expect(not pub_services, "[public] a held dataset's DataLink document has no service descriptor")
stf = DatalinkResults.from_result_url(args.staff.rsplit("/", 1)[0] + q, session=session)
stf_sems = sorted(str(x["semantics"]) for x in stf if not x["error_message"])
print(f"[staff] the held dataset's links: {stf_sems}")
expect("#this" in stf_sems, "[staff] the held dataset's links on the staff server")
expect(cutout_descriptor(stf)[1] is not None and stf.get_adhocservice_by_ivoid(SODA_SYNC) is not None,
       "[staff] the held dataset's cutout service descriptor on the staff server")
# (pyvo 1.2.1's iter_datalinks() does not pass the session on: staff follow the descriptor by hand)
r = staff.run_sync(f"SELECT obs_publisher_did FROM ivoa.obscore WHERE obs_publisher_did = '{held_did}'")
stf_dl = {p.name: p.value for p in r.get_adhocservice_by_ivoid("ivo://ivoa.net/std/DataLink#links").params}
expect(stf_dl.get("accessURL", "").startswith(args.staff.rsplit("/", 1)[0]),
       f"[staff] ObsCore results' DataLink descriptor leads to the staff server: {stf_dl.get('accessURL')}")
st = requests.get(args.staff.rsplit("/", 1)[0] + q).status_code
expect(st == 401, f"anonymous DataLink on the staff server: HTTP {st}")
stf_url = staff.run_sync(f"SELECT access_url FROM ivoa.obscore WHERE obs_publisher_did = '{held_did}'")[0]["access_url"]
expect(stf_url.startswith(args.staff.rsplit("/", 1)[0]), f"[staff] ObsCore access_url leads to the staff DataLink: {stf_url}")

if failures:
    print(f"{len(failures)} expectation(s) failed", file=sys.stderr)
    sys.exit(1)
print("all expectations met")
