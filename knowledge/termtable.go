package knowledge

// termTable holds a count per term (the passages holding it), keyed by a 64-bit hash of the
// term. It holds no pointers, so the garbage collector never scans its entries: a map keyed by
// the terms themselves, a million strings over 100,000 passages, would be scanned on every
// collection, at a cost searches felt. Two terms sharing a hash (about one chance in 30
// million with a million terms) share a count.
type termTable map[uint64]int32

// newTermTable returns the counts of df keyed by hash.
func newTermTable(df map[string]int32) termTable {
	t := make(termTable, len(df))
	for term, n := range df {
		t[fnv64a(term)] += n
	}
	return t
}

// get returns the count of term, 0 when it has none.
func (t termTable) get(term string) int32 { return t[fnv64a(term)] }
