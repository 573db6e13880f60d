// The JDBC half of test/bi/run.sh: what a BI tool sees of a ledger through
// pgjdbc's DatabaseMetaData, and whether it can read the BI views.
//
// Usage: java -cp /usr/share/java/postgresql.jar Client.java JDBC_URL USER SCHEMA
//
// Prints detail lines (run.sh indents them under its verdict line); a line
// starting with "FAIL:" is a failed check.  Exits 0 when every check passed,
// 1 when one failed, 2 when it could not connect.
import java.sql.*;
import java.util.*;

public class Client {
	static final String[] BI_VIEWS = {"bi_benefit_status", "bi_key_status",
		"bi_subscription_status", "bi_reassignment_status"};
	static final String[] STATUS_VIEWS = {"benefit_status", "key_status",
		"subscription_status", "reassignment_status"};
	// the java.sql.Types a BI tool maps to a column of its own: scalars
	// (never OTHER, STRUCT, JAVA_OBJECT, DISTINCT, ARRAY, REF...)
	static final Set<Integer> STANDARD = Set.of(Types.BIT, Types.BOOLEAN,
		Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT,
		Types.REAL, Types.FLOAT, Types.DOUBLE, Types.NUMERIC, Types.DECIMAL,
		Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR,
		Types.NVARCHAR, Types.LONGNVARCHAR, Types.DATE, Types.TIME,
		Types.TIMESTAMP, Types.TIME_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE);

	static final List<String> failures = new ArrayList<>();

	static void fail(String what) { failures.add(what); }

	static String typeName(int code) {
		try {
			return JDBCType.valueOf(code).getName();
		} catch (IllegalArgumentException e) {
			return "code " + code;
		}
	}

	static boolean blank(String s) { return s == null || s.trim().isEmpty(); }

	// a LIKE pattern that matches NAME only (metadata arguments are patterns)
	static String exact(DatabaseMetaData md, String name) throws SQLException {
		String esc = md.getSearchStringEscape();
		return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
	}

	static long scalar(Connection c, String sql) throws SQLException {
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	static String quoteIdent(String s) { return "\"" + s.replace("\"", "\"\"") + "\""; }
	static String quoteLiteral(String s) { return "'" + s.replace("'", "''") + "'"; }

	public static void main(String[] args) throws Exception {
		String url = args[0], user = args[1], schema = args[2];
		Properties props = new Properties();
		props.setProperty("user", user);
		props.setProperty("ApplicationName", "mpn_bi_test jdbc");
		Connection conn;
		try {
			conn = DriverManager.getConnection(url, props);
		} catch (SQLException e) {
			System.out.println("FAIL: cannot connect to " + url + ": " + e.getMessage());
			System.exit(2);
			return;
		}
		DatabaseMetaData md = conn.getMetaData();
		System.out.println("driver: " + md.getDriverName() + " " + md.getDriverVersion()
			+ ", server " + md.getDatabaseProductVersion() + ", " + url);

		// getTables: every table and view, described
		Map<String, String> kinds = new TreeMap<>();
		int tables = 0, views = 0;
		String[] relTypes = {"TABLE", "PARTITIONED TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE"};
		try (ResultSet rs = md.getTables(null, exact(md, schema), "%", relTypes)) {
			while (rs.next()) {
				String name = rs.getString("TABLE_NAME"), type = rs.getString("TABLE_TYPE");
				kinds.put(name, type);
				if (type.endsWith("VIEW")) views++; else tables++;
				if (blank(rs.getString("REMARKS")))
					fail("getTables: " + type.toLowerCase() + " " + name + " has no REMARKS");
			}
		}
		long inCatalog = scalar(conn, "SELECT count(*) FROM pg_class WHERE relkind IN ('r','p','v','m','f')"
			+ " AND relnamespace = " + quoteLiteral(quoteIdent(schema)) + "::regnamespace");
		if (kinds.size() != inCatalog)
			fail("getTables listed " + kinds.size() + " tables and views, pg_class holds " + inCatalog);
		for (String v : BI_VIEWS)
			if (!"VIEW".equals(kinds.get(v)))
				fail("getTables: no view " + v + " (got " + kinds.get(v) + ")");

		// getColumns: every column described; the BI views' in standard types
		int columns = 0, biColumns = 0;
		Map<String, Integer> biTypes = new TreeMap<>();
		List<String> statusOther = new ArrayList<>();
		Set<String> bi = Set.of(BI_VIEWS), status = Set.of(STATUS_VIEWS);
		for (String rel : kinds.keySet()) {
			int n = 0;
			try (ResultSet rs = md.getColumns(null, exact(md, schema), exact(md, rel), "%")) {
				while (rs.next()) {
					if (!rel.equals(rs.getString("TABLE_NAME")))
						continue;
					n++;
					String col = rel + "." + rs.getString("COLUMN_NAME");
					int type = rs.getInt("DATA_TYPE");
					String pgType = rs.getString("TYPE_NAME");
					if (blank(rs.getString("REMARKS")))
						fail("getColumns: " + col + " has no REMARKS");
					if (bi.contains(rel)) {
						biColumns++;
						biTypes.merge(typeName(type), 1, Integer::sum);
						if (!STANDARD.contains(type))
							fail("getColumns: " + col + " is " + typeName(type) + " (" + type + "), TYPE_NAME " + pgType
								+ ": not a standard java.sql.Types");
					} else if (status.contains(rel) && !STANDARD.contains(type)) {
						statusOther.add(col + " " + typeName(type) + " (" + type + ", TYPE_NAME " + pgType + ")");
					}
				}
			}
			long attrs = scalar(conn, "SELECT count(*) FROM pg_attribute WHERE attnum > 0 AND NOT attisdropped"
				+ " AND attrelid = " + quoteLiteral(quoteIdent(schema) + "." + quoteIdent(rel)) + "::regclass");
			if (n != attrs)
				fail("getColumns: " + rel + " gave " + n + " columns, pg_attribute holds " + attrs);
			columns += n;
		}
		System.out.println("getTables: " + kinds.size() + " relations of schema " + schema + " (" + tables
			+ " tables, " + views + " views), " + columns + " columns, REMARKS checked on each");
		System.out.println("getColumns: " + BI_VIEWS.length + " BI views, " + biColumns + " columns, types " + biTypes);

		// every row of every BI view, every column through getObject
		StringBuilder counts = new StringBuilder();
		for (String v : BI_VIEWS) {
			String qualified = quoteIdent(schema) + "." + quoteIdent(v);
			long expected = -1, read = 0;
			try {
				expected = scalar(conn, "SELECT count(*) FROM " + qualified);
				conn.setAutoCommit(false);	// so the fetch size fetches in batches
				try (Statement s = conn.createStatement()) {
					s.setFetchSize(1000);
					try (ResultSet rs = s.executeQuery("SELECT * FROM " + qualified)) {
						ResultSetMetaData rmd = rs.getMetaData();
						for (int i = 1; i <= rmd.getColumnCount(); i++)
							if (!STANDARD.contains(rmd.getColumnType(i)))
								fail("ResultSetMetaData: " + v + "." + rmd.getColumnName(i) + " is "
									+ typeName(rmd.getColumnType(i)) + " (" + rmd.getColumnTypeName(i) + ")");
						while (rs.next()) {
							for (int i = 1; i <= rmd.getColumnCount(); i++)
								rs.getObject(i);
							read++;
						}
					}
				}
				conn.commit();
				conn.setAutoCommit(true);
			} catch (SQLException e) {
				fail("reading " + v + " (row " + (read + 1) + "): " + e.getMessage());
				try { conn.rollback(); conn.setAutoCommit(true); } catch (SQLException ignored) { }
			}
			if (read != expected)
				fail("read " + read + " rows of " + v + ", count(*) gives " + expected);
			counts.append(counts.length() > 0 ? ", " : "").append(v).append(" ").append(read);
		}
		System.out.println("rows read with getObject: " + counts);
		System.out.println("non-BI status views, columns not of a standard type (reported only): "
			+ (statusOther.isEmpty() ? "none" : String.join(", ", statusOther)));

		conn.close();
		for (String f : failures)
			System.out.println("FAIL: " + f);
		System.exit(failures.isEmpty() ? 0 : 1);
	}
}
