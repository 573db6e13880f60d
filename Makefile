# mpn_benefits: PGXS build.  `make WERROR=1` turns warnings into errors (CI).

EXTENSION = mpn_benefits
MODULE_big = mpn_benefits
OBJS = \
	src/mpn_benefits.o \
	src/calendar.o \
	src/text_forms.o \
	src/product_key.o \
	src/license_term.o \
	src/rules.o \
	src/triggers.o \
	src/drop_guard.o

DATA = mpn_benefits--1.0.sql

# pg_regress suites in sql/ and expected/, isolation specs in specs/
REGRESS = setup product_key license_term soft_input_errors rules triggers_setup redeem_once reassign_after exclusive_offer partner_tenant_only triggers_safety ledger ledger_dump
REGRESS_OPTS = --load-extension=mpn_benefits
ISOLATION = redeem_once_race reassign_after_race exclusive_offer_race partner_tenant_race
ISOLATION_OPTS = --load-extension=mpn_benefits

# -Wextra for our code; the server's headers are system headers to it (they
# have unused parameters by design), and GCC drops their -I for -isystem.
PG_CFLAGS += -Wall -Wextra
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)
ifdef WERROR
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = test/fuzz/build

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The two halves of installcheck as targets of their own, so that
# `make -k installcheck-regress installcheck-isolation` runs the isolation
# specs even when a regress suite fails (PGXS runs both in one recipe).
.PHONY: installcheck-regress installcheck-isolation
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
