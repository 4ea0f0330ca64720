// Package knowledge is the assistant's knowledge base: the documents (plans, public-service
// procedures, FAQs) and their passages, the Store contract and the rules every store follows
// (document checks, operator patches and locked fields, the stored form of citations, term
// statistics, migrations), ingestion (files cut into passages that keep their document title
// and section path), and Vietnamese-aware hybrid search over a Store (Index: full text over
// analysed terms plus vectors, ranked the same way whatever store is behind it).
//
// The engines are packages of their own: knowledge/postgres (PostgreSQL + pgvector) and
// knowledge/sqlite (embedded, the zero-setup default); both pass the contract suite of
// knowledge/storetest.
package knowledge
