// Package postgres is the knowledge base kept in PostgreSQL with the pgvector extension: full
// text over a GIN-indexed tsvector of the analysed terms, vectors in an HNSW index, term
// statistics kept by the server, conversations and connector state in tables of their own.
// Open applies the embedded migrations (migrations/*.sql) under an advisory lock, so that
// several processes may start together. It implements knowledge.Store and passes
// knowledge/storetest.
package postgres
