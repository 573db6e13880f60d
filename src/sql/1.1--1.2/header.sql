/* mpn_benefits--1.1--1.2.sql: from 1.1 to 1.2, the security release (built
   by the Makefile from src/sql/1.1--1.2/ and the sources it shares with
   the install script: schema_guard.sql, event_triggers.sql) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION mpn_benefits UPDATE TO '1.2'" to load this file. \quit
