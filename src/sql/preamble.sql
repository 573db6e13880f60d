-- mpn_benefits--X.Y.sql, the install script: built by the Makefile from
-- src/sql/ (preamble, schema_guard, types, rules, triggers, event_triggers,
-- notices, ledger), in that order.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION mpn_benefits" to load this file. \quit
