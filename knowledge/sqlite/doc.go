// Package sqlite is the embedded, zero-setup knowledge base: one SQLite database file (pure Go,
// no external process) with an FTS5 full-text index and the passage vectors scanned exactly
// in memory. It is the default when no PostgreSQL is configured, implements knowledge.Store
// and passes knowledge/storetest.
package sqlite
