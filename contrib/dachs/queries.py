#!/usr/bin/python3
"""run.sh's client side: ObsTAP queries with pyvo against the public and the staff DaCHS, the
demo hold seen by both, holds and release times taking effect without a restart, and the staff
service's jobs out of reach of anonymous users. Exits non-zero when an expectation fails."""
import argparse
import subprocess
import sys
import time

import pyvo
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
    r = svc.run_sync("SELECT TOP 3 obs_publisher_did, s_region FROM ivoa.obscore WHERE s_region IS NOT NULL ORDER BY obs_publisher_did")
    fld = next(f for f in r.fielddescs if f.name == "s_region")
    v = r[0]["s_region"]
    print(f"[{who}] s_region: VOTable datatype={fld.datatype} arraysize={fld.arraysize} xtype={fld.xtype} unit={fld.unit}; "
          f"first value: {type(v).__name__} of {len(v)} numbers {[round(float(x), 4) for x in v[:4]]}...")
    expect(fld.xtype == "polygon" and len(v) >= 6 and len(v) % 2 == 0,
           f"[{who}] pyvo/astropy get s_region back as a polygon (xtype polygon, ra/dec pairs)")

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

if failures:
    print(f"{len(failures)} expectation(s) failed", file=sys.stderr)
    sys.exit(1)
print("all expectations met")
