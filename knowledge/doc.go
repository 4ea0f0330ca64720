// Package knowledge is the assistant's knowledge base: it ingests documents (plans, public-
// service procedures, FAQs), cuts them into passages that keep their document title and section
// path, indexes them for Vietnamese-aware hybrid search (full text over analysed terms plus
// vectors), and stores conversations and feedback. Two stores implement the same contract:
// PostgresStore (PostgreSQL + pgvector) and SQLiteStore (embedded, the zero-setup default).
package knowledge
