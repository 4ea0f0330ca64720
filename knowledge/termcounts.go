package knowledge

import "strings"

// TermCounts holds a count per term (the passages holding it), keyed by a 64-bit hash of the
// term: the document frequencies ranking reads. It holds no pointers, so the garbage collector
// never scans its entries: a map keyed by the terms themselves, a million strings over 100,000
// passages, would be scanned on every collection, at a cost searches felt. Two terms sharing a
// hash (about one chance in 30 million with a million terms) share a count. Stores build it
// in Stats; readers must not change it.
type TermCounts map[uint64]int32

// Add adds n to the count of term.
func (t TermCounts) Add(term string, n int32) { t[fnv64a(term)] += n }

// Get returns the count of term, 0 when it has none.
func (t TermCounts) Get(term string) int32 { return t[fnv64a(term)] }

// TermCount returns the number of terms of an index text (Chunk.HeadTerms, Chunk.BodyTerms):
// the field lengths BM25F normalises by, which stores keep beside the text.
func TermCount(terms string) int {
	if terms == "" {
		return 0
	}
	return strings.Count(terms, " ") + 1
}
