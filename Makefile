# mpn_benefits: PGXS build.  `make WERROR=1` turns warnings into errors (CI).

EXTENSION = mpn_benefits
MODULE_big = mpn_benefits
OBJS = \
	src/mpn_benefits.o \
	src/as_owner.o \
	src/calendar.o \
	src/text_forms.o \
	src/dates.o \
	src/product_key.o \
	src/license_term.o \
	src/rules.o \
	src/triggers/support.o \
	src/triggers/redeem_once.o \
	src/triggers/reassign_after.o \
	src/triggers/exclusive_offer.o \
	src/triggers/partner_tenant_only.o \
	src/triggers/attachment.o \
	src/triggers/existing_rows.o \
	src/drop_guard.o \
	src/entry_points_1_0.o

# The install script of the current version is built from its sources in
# src/sql/, in this order, and so is the update to it from the version
# before (which shares the schema guard with the install script, and
# restates the ledger's functions).  Released versions' scripts and updates
# are kept in src/sql/ as they were released: when 1.3 is released, commit
# the two built scripts there (into DATA) and start the next version's rules.
EXTVERSION = 1.3
SCRIPT_SOURCES = src/sql/preamble.sql src/sql/schema_guard.sql src/sql/types.sql \
	src/sql/rules.sql src/sql/triggers.sql src/sql/event_triggers.sql src/sql/notices.sql \
	src/sql/ledger.sql
UPDATE_SOURCES = src/sql/1.2--1.3/header.sql src/sql/schema_guard.sql \
	src/sql/1.2--1.3/objects.sql src/sql/notices.sql
DATA_built = mpn_benefits--$(EXTVERSION).sql mpn_benefits--1.2--$(EXTVERSION).sql
DATA = src/sql/mpn_benefits--1.0.sql src/sql/mpn_benefits--1.1.sql src/sql/mpn_benefits--1.2.sql \
	src/sql/mpn_benefits--1.0--1.1.sql src/sql/mpn_benefits--1.1--1.2.sql

# pg_regress suites in sql/ and expected/, isolation specs in specs/
REGRESS = setup product_key license_term soft_input_errors rules triggers_setup redeem_once reassign_after exclusive_offer partner_tenant_only existing_rows truncate_guard partitions guards triggers_safety security ledger notices ledger_dump upgrade
REGRESS_OPTS = --load-extension=mpn_benefits
ISOLATION = redeem_once_race reassign_after_race exclusive_offer_race partner_tenant_race security_locks notices_claim notices_sweep update_busy_ledger
ISOLATION_OPTS = --load-extension=mpn_benefits

# -Wextra for our code; the server's headers are system headers to it (they
# have unused parameters by design), and GCC drops their -I for -isystem.
PG_CFLAGS += -Wall -Wextra
PG_CPPFLAGS += -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
ifdef WERROR
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = test/fuzz/build

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

mpn_benefits--$(EXTVERSION).sql: $(SCRIPT_SOURCES)
	cat $^ >$@

# The update restates the ledger's functions as they are now (CREATE OR
# REPLACE keeps each one's OID, owner, privileges and comment), then gives
# the ledgers made before it what create_ledger makes now.
mpn_benefits--1.2--$(EXTVERSION).sql: $(UPDATE_SOURCES) src/sql/ledger.sql src/sql/1.2--1.3/ledgers.sql
	{ cat $(UPDATE_SOURCES); \
	  sed 's/^CREATE FUNCTION @extschema@\./CREATE OR REPLACE FUNCTION @extschema@./' src/sql/ledger.sql; \
	  cat src/sql/1.2--1.3/ledgers.sql; } >$@

# Each object depends on the headers it includes, so that touching one
# (they define the stored layouts) rebuilds what uses it.
TYPES_H = src/mpn_benefits.h src/compat.h src/text_forms.h
src/calendar.o: src/calendar.h
src/text_forms.o: src/text_forms.h src/calendar.h
src/mpn_benefits.o: src/triggers/support.h $(TYPES_H)
src/dates.o: src/dates.h src/calendar.h $(TYPES_H)
src/product_key.o: $(TYPES_H)
src/license_term.o: src/dates.h $(TYPES_H)
src/rules.o: src/dates.h src/calendar.h $(TYPES_H)
src/as_owner.o: src/as_owner.h src/compat.h
src/drop_guard.o: src/as_owner.h src/triggers/support.h src/dates.h $(TYPES_H)
src/triggers/support.o src/triggers/redeem_once.o src/triggers/reassign_after.o \
src/triggers/exclusive_offer.o src/triggers/partner_tenant_only.o src/triggers/attachment.o \
src/triggers/existing_rows.o: \
	src/triggers/support.h src/dates.h $(TYPES_H)
src/triggers/attachment.o: src/as_owner.h

# The two halves of installcheck as targets of their own, so that
# `make -k installcheck-regress installcheck-isolation` runs the isolation
# specs even when a regress suite fails (PGXS runs both in one recipe).
.PHONY: installcheck-regress installcheck-isolation
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
