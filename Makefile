# PGXS build of the obsmeta extension: `make`, `make install`, `make installcheck`.
# CMakeLists.txt builds the same library plus the C++ unit tests, tools and benchmarks.

EXTENSION   = obsmeta
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = obsmeta

SRCS        = $(sort $(wildcard src/*.cpp src/*/*.cpp))
OBJS        = $(SRCS:.cpp=.o)

# The install script is assembled from schema/ in path order: folders in the data's path
# (schema/README.md), one concern per file; the numbers give the install order.
SCHEMA_PARTS = $(sort $(wildcard schema/*.sql schema/*/*.sql))
# Re-runnable parts (NN_topic.rerunnable.sql: CREATE OR REPLACE functions, views and triggers,
# grants) are applied again by the update to the version under way; the others run once.
RERUNNABLE_PARTS = $(filter %.rerunnable.sql,$(SCHEMA_PARTS))
# Each upgrade step is assembled from its folder upgrade/FROM--TO/ (one part per change; see
# upgrade/README.md):
#   the one-time parts upgrade/FROM--TO/*.sql, in file-name order;
#   the re-runnable parts: for the step to the version under way, every schema/ re-runnable part
#     as it is now; for a released step, the copies frozen at its release (FROM--TO/rerunnable/);
#   the parts that need the new functions (FROM--TO/post/*.sql), e.g. recomputing derived rows.
UPGRADE_STEPS = $(notdir $(wildcard upgrade/*--*))
DATA_built  = sql-install/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADE_STEPS:%=sql-install/$(EXTENSION)--%.sql)

REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=pg_sphere --load-extension=obsmeta
# Isolation specs (pg_isolation_regress): test/isolation/specs/*.spec, expected/ beside them.
ISOLATION   = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=pg_sphere --load-extension=obsmeta

PG_CONFIG  ?= pg_config
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register -Werror -Isrc
# libxml2 (PostgreSQL's own XML dependency) reads, writes and validates CAOM-2.4 documents;
# libyaml reads the consdb transformed-EFD configuration; ERFA (liberfa) gives the leap-second
# table for the registry's TAI times; OpenSSL's libcrypto computes the CAOM-2.4 MD5 checksums;
# -pthread: the EFD recomputation spreads its pure C++ work over threads (src/efd/parallel).
PG_CPPFLAGS = -I/usr/include/libxml2
SHLIB_LINK  = -lstdc++ -lxml2 -lyaml -lerfa -lcrypto -pthread
EXTRA_CLEAN = sql-install

# Header dependencies: each object's .d file lists the headers it includes.
PG_CXXFLAGS += -MMD -MP
EXTRA_CLEAN += $(OBJS:.o=.d)

# No LLVM bitcode for the JIT: it would need clang++ and gains nothing for trigger code.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)

sql-install/$(EXTENSION)--$(EXTVERSION).sql: $(SCHEMA_PARTS)
	@mkdir -p sql-install
	cat $(SCHEMA_PARTS) > $@

# An upgrade step: the guard against running it with psql, then its parts in the order above.
step_to = $(lastword $(subst --, ,$(1)))
step_parts = $(sort $(wildcard upgrade/$(1)/*.sql)) \
	$(if $(filter $(EXTVERSION),$(call step_to,$(1))),$(RERUNNABLE_PARTS),$(sort $(wildcard upgrade/$(1)/rerunnable/*.sql))) \
	$(sort $(wildcard upgrade/$(1)/post/*.sql))
.SECONDEXPANSION:
sql-install/$(EXTENSION)--%.sql: $$(call step_parts,$$*)
	@mkdir -p sql-install
	{ printf '%s\n' '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE TO '"'"'$(call step_to,$*)'"'"'" to load this file. \quit'; \
	  cat $(call step_parts,$*) /dev/null; } > $@

# At a release (see upgrade/README.md): the step to it keeps copies of the re-runnable parts as
# they are then, so that its script no longer changes with schema/.
LAST_STEP = $(lastword $(filter %--$(EXTVERSION),$(UPGRADE_STEPS)))
freeze-upgrade-step:
	test -n "$(LAST_STEP)"
	rm -rf upgrade/$(LAST_STEP)/rerunnable && mkdir -p upgrade/$(LAST_STEP)/rerunnable
	cp $(RERUNNABLE_PARTS) upgrade/$(LAST_STEP)/rerunnable/
.PHONY: freeze-upgrade-step
