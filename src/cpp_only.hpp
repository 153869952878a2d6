// Included last by every source file of the pure C++ folders (geom/, efd/, caom2/,
// registry/): they are built into the unit tests, tools and fuzzers without PostgreSQL, so none may
// include a PostgreSQL header, directly or through another header. (No include guard: each inclusion checks.)
#if defined(POSTGRES_H) || defined(PG_VERSION_NUM) || defined(FMGR_H)
#error "pure C++ file includes a PostgreSQL header: move that code under src/pg/ or a *_sql/ folder"
#endif
