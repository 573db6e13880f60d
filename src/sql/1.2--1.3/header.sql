/* mpn_benefits--1.2--1.3.sql: from 1.2 to 1.3, the whole life of a
   database (built by the Makefile from src/sql/1.2--1.3/ and the sources
   it shares with the install script: schema_guard.sql, notices.sql,
   ledger.sql) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION mpn_benefits UPDATE TO '1.3'" to load this file. \quit
