package knowledge_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newIngester(t *testing.T, s knowledge.Store) *knowledge.Ingester {
	t.Helper()
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 64)
	if err := knowledge.EnsureEmbeddings(context.Background(), s, emb, emb.Info(), quiet); err != nil {
		t.Fatal(err)
	}
	return knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)
}

func outcomes(rep knowledge.Report) map[string]knowledge.Outcome {
	m := map[string]knowledge.Outcome{}
	for _, f := range rep.Files {
		m[f.Source] = f.Outcome
	}
	return m
}

func TestIngestPaths(t *testing.T) {
	ctx := context.Background()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "kb", "ke-hoach.md"), "# Kế hoạch\n\nTỷ lệ hồ sơ trực tuyến đạt 50%.\n")
			writeFile(t, filepath.Join(dir, "kb", "thu-tuc", "a.txt"), "Thủ tục A\n\nNộp hồ sơ tại Ủy ban nhân dân cấp xã.\n")
			writeFile(t, filepath.Join(dir, "kb", ".hidden", "x.txt"), "Không được đọc\n\nTệp ẩn.\n")
			writeFile(t, filepath.Join(dir, "rieng.txt"), "Tệp riêng\n\nMột tệp đưa trực tiếp.\n")
			var s knowledge.Store
			if backend == "sqlite" {
				s = openSQLite(t)
			} else {
				s = openPostgres(t)
			}
			in := newIngester(t, s)
			rep, err := in.IngestPaths(ctx, []string{filepath.Join(dir, "kb"), filepath.Join(dir, "rieng.txt")})
			if err != nil {
				t.Fatal(err)
			}
			got := outcomes(rep)
			want := map[string]knowledge.Outcome{"ke-hoach.md": knowledge.Added, "thu-tuc/a.txt": knowledge.Added, "rieng.txt": knowledge.Added}
			if len(got) != len(want) {
				t.Fatalf("outcomes = %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s, want %s", k, got[k], v)
				}
			}
			first, err := s.DocumentBySource(ctx, "thu-tuc/a.txt")
			if err != nil {
				t.Fatal(err)
			}

			// Unchanged files do nothing; a changed file replaces its document.
			gen, _ := s.Generation(ctx)
			writeFile(t, filepath.Join(dir, "kb", "thu-tuc", "a.txt"), "Thủ tục A\n\nNộp hồ sơ tại Công an cấp xã.\n")
			rep, err = in.IngestPaths(ctx, []string{filepath.Join(dir, "kb")})
			if err != nil {
				t.Fatal(err)
			}
			got = outcomes(rep)
			if got["ke-hoach.md"] != knowledge.Unchanged || got["thu-tuc/a.txt"] != knowledge.Updated {
				t.Fatalf("second run outcomes = %v", got)
			}
			second, err := s.DocumentBySource(ctx, "thu-tuc/a.txt")
			if err != nil || second.ID != first.ID || second.Version != 2 {
				t.Fatalf("replaced document = %+v, %v (first %s)", second, err, first.ID)
			}
			chunks, _ := s.DocumentChunks(ctx, second.ID)
			if len(chunks) != 1 || !strings.Contains(chunks[0].Text, "Công an") {
				t.Errorf("chunks after update = %+v", chunks)
			}
			gen2, _ := s.Generation(ctx)
			rep, _ = in.IngestPaths(ctx, []string{filepath.Join(dir, "kb")})
			gen3, _ := s.Generation(ctx)
			if rep.Count(knowledge.Unchanged) != 2 || gen3 != gen2 || gen2 == gen {
				t.Errorf("third run: %d unchanged, generations %d %d %d", rep.Count(knowledge.Unchanged), gen, gen2, gen3)
			}
		})
	}
}

func TestIngestBadInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "tot.txt"), "Tài liệu tốt\n\nNội dung hợp lệ.\n")
	writeFile(t, filepath.Join(dir, "rong.txt"), "")
	writeFile(t, filepath.Join(dir, "khoang-trang.txt"), "  \n\t\n")
	writeFile(t, filepath.Join(dir, "hong.json"), `{"ten_thu_tuc": "Thiếu ngoặc"`)
	writeFile(t, filepath.Join(dir, "nhi-phan.txt"), "\x00\x01\x02\xff\xfe garbage \x00")
	writeFile(t, filepath.Join(dir, "lon.txt"), "Tệp lớn\n\n"+strings.Repeat("Nội dung rất dài. ", 200))
	writeFile(t, filepath.Join(dir, "hong.docx"), "PK\x03\x04 not really a zip")
	writeFile(t, filepath.Join(dir, "anh.png"), "\x89PNG\r\n\x1a\n")
	s := openSQLite(t)
	in := newIngester(t, s)
	in.MaxFileSize = 1000
	rep, err := in.IngestPaths(ctx, []string{dir, filepath.Join(dir, "khong-ton-tai.txt")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]error{
		"rong.txt":          extract.ErrEmpty,
		"khoang-trang.txt":  extract.ErrEmpty,
		"hong.json":         extract.ErrMalformed,
		"nhi-phan.txt":      extract.ErrEncoding,
		"lon.txt":           knowledge.ErrFileTooLarge,
		"hong.docx":         extract.ErrMalformed,
		"anh.png":           extract.ErrUnsupported,
		"khong-ton-tai.txt": os.ErrNotExist,
	}
	for _, f := range rep.Files {
		if f.Source == "tot.txt" {
			if f.Outcome != knowledge.Added || f.Err != nil {
				t.Errorf("good file: %s %v", f.Outcome, f.Err)
			}
			continue
		}
		w, ok := want[f.Source]
		if !ok {
			t.Errorf("unexpected file %s", f.Source)
			continue
		}
		delete(want, f.Source)
		if f.Outcome != knowledge.Failed || !errors.Is(f.Err, w) || f.Err.Error() == "" {
			t.Errorf("%s: %s %v, want failed with %v", f.Source, f.Outcome, f.Err, w)
		}
		if _, err := s.DocumentBySource(ctx, f.Source); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("%s: something was stored for a failed file (%v)", f.Source, err)
		}
	}
	if len(want) > 0 {
		t.Errorf("no result for %v", want)
	}
	docs, _ := s.Documents(ctx, "")
	if len(docs) != 1 {
		t.Errorf("%d documents stored, want only the good one", len(docs))
	}
}

func TestIngestBulkMatchesIncremental(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	topics := []string{"đăng ký khai sinh", "cấp hộ chiếu", "đăng ký tạm trú", "lệ phí trước bạ", "cấp phép xây dựng", "chứng thực bản sao"}
	for i := range 24 {
		topic := topics[i%len(topics)]
		writeFile(t, filepath.Join(dir, "kb", fmt.Sprintf("tai-lieu-%02d.md", i)),
			fmt.Sprintf("# Hướng dẫn %s số %d\n\n## Hồ sơ\n\nHồ sơ %s gồm tờ khai và giấy tờ tùy thân, nộp tại Ủy ban nhân dân cấp xã.\n\n## Lệ phí\n\nLệ phí %s là %d.000 đồng.\n", topic, i, topic, topic, 10+i))
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			open := openSQLite
			if backend == "postgres" {
				open = openPostgres
			}
			var stats []knowledge.Stats
			var firsts [][]string
			for _, threshold := range []int{1, 1 << 30} { // bulk, then incremental
				s := open(t)
				in := newIngester(t, s)
				in.BulkThreshold = threshold
				rep, err := in.IngestPaths(ctx, []string{filepath.Join(dir, "kb")})
				if err != nil || rep.Count(knowledge.Added) != 24 {
					t.Fatalf("threshold %d: %v, %d added", threshold, err, rep.Count(knowledge.Added))
				}
				st, err := s.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				stats = append(stats, st)
				a := vietnamese.NewAnalyzer(nil)
				idx := knowledge.NewIndex(s, a, knowledge.NewHashEmbedder(a, 64), quiet)
				var got []string
				for _, q := range []string{"lệ phí cấp hộ chiếu 11.000 đồng", "le phi dang ky tam tru 12.000 dong", "chứng thực bản sao lệ phí 15.000"} {
					res, err := idx.Search(ctx, knowledge.Query{Text: q, K: 3})
					if err != nil || len(res) == 0 {
						t.Fatalf("search %q: %v", q, err)
					}
					got = append(got, res[0].Doc.Source)
				}
				firsts = append(firsts, got)
				// Writes after a bulk run are counted again as usual.
				if _, _, err := in.Ingest(ctx, "them.txt", []byte("Tài liệu thêm\n\nMột tài liệu về hộ chiếu.\n")); err != nil {
					t.Fatal(err)
				}
				after, err := s.Stats(ctx)
				if err != nil || after.DF.Get("ho_chieu") != st.DF.Get("ho_chieu")+1 {
					t.Errorf("after one more document: df(ho_chieu) %d → %d, %v", st.DF.Get("ho_chieu"), after.DF.Get("ho_chieu"), err)
				}
			}
			if stats[0].Chunks != stats[1].Chunks || len(stats[0].DF) != len(stats[1].DF) {
				t.Fatalf("bulk stats %d chunks %d terms, incremental %d chunks %d terms", stats[0].Chunks, len(stats[0].DF), stats[1].Chunks, len(stats[1].DF))
			}
			for term, n := range stats[1].DF {
				if stats[0].DF[term] != n {
					t.Errorf("df(term hash %x): bulk %d, incremental %d", term, stats[0].DF[term], n)
				}
			}
			want := []string{"tai-lieu-01.md", "tai-lieu-02.md", "tai-lieu-05.md"}
			if !slices.Equal(firsts[0], want) || !slices.Equal(firsts[1], want) {
				t.Errorf("first results: bulk %v, incremental %v, want %v", firsts[0], firsts[1], want)
			}
		})
	}
}

// bulkCounter is a store that counts the bulk loads an ingestion starts.
type bulkCounter struct {
	*sqlite.Store
	begins int
}

func (b *bulkCounter) BeginBulk(ctx context.Context) error {
	b.begins++
	return b.Store.BeginBulk(ctx)
}

// A run over many files rebuilds the search indexes only when enough of them will be written,
// and they are a good share of the knowledge base: running again over unchanged files, or
// changing a few of many, leaves the indexes (and searches) alone.
func TestIngestBulkOnlyForChangedFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(i int, version string) {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("tai-lieu-%d.txt", i)),
			fmt.Sprintf("Hướng dẫn số %d\n\nHồ sơ gồm tờ khai, bản %s.\n", i, version))
	}
	for i := range 12 {
		write(i, "một")
	}
	s := &bulkCounter{Store: openSQLite(t).(*sqlite.Store)}
	in := newIngester(t, s)
	in.BulkThreshold = 3
	steps := []struct {
		name    string
		change  []int // files rewritten before the run
		written int
		begins  int // bulk loads started so far
	}{
		{"first run", nil, 12, 1},
		{"unchanged", nil, 0, 1},
		{"a third changed", []int{0, 1, 2, 3}, 4, 2},
		{"fewer than a third changed", []int{4, 5, 6}, 3, 2},
		{"one changed", []int{7}, 1, 2},
	}
	for _, st := range steps {
		for _, i := range st.change {
			write(i, st.name)
		}
		rep, err := in.IngestPaths(ctx, []string{dir})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := rep.Count(knowledge.Added) + rep.Count(knowledge.Updated); got != st.written || s.begins != st.begins {
			t.Errorf("%s: %d written, %d bulk loads; want %d, %d", st.name, got, s.begins, st.written, st.begins)
		}
	}
}
