package extract_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/layout"
)

// corpusDir returns the shared corpus directory, which lives in ../shared beside the
// repository root, or skips the test when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/corpus not found: no go.mod above the test directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("../shared/corpus not found: %v", err)
	}
	return corpus
}

// TestCorpusProcedures parses every procedure record of the shared corpus: none may fail,
// and every record with a submission table must yield named channels.
func TestCorpusProcedures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir(t), "procedures", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("../shared/corpus not found: no procedure records under procedures/")
	}
	var (
		channels, groups, papers, legal int
		withPapers, withPaperTable      int
		withForms, withNotes            int
		feeAmounts, free                int
	)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]string
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc, err := extract.File(f, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		p := doc.Procedure
		if strings.TrimSpace(raw["cach_thuc_thuc_hien"]) != "" {
			if len(p.Channels) == 0 {
				t.Errorf("%s: no channels parsed from %.80q", f, raw["cach_thuc_thuc_hien"])
			}
			for _, c := range p.Channels {
				if c.Name == "" {
					t.Errorf("%s: channel without a name: %+v", f, c)
				}
			}
		}
		if strings.Contains(raw["thanh_phan_ho_so"], "Tên giấy tờMẫu đơn, tờ khaiSố lượng") {
			withPaperTable++
			if len(p.PaperGroups) > 0 || len(p.Notes) > 0 {
				withPapers++
			}
		}
		channels += len(p.Channels)
		groups += len(p.PaperGroups)
		legal += len(p.LegalBasis)
		if len(p.Notes) > 0 {
			withNotes++
		}
		for _, g := range p.PaperGroups {
			papers += len(g.Papers)
			for _, pp := range g.Papers {
				if pp.Form != "" {
					withForms++
				}
			}
		}
		for _, c := range p.Channels {
			if len(c.FeeAmounts) > 0 {
				feeAmounts++
			}
			if c.Free {
				free++
			}
		}
		if len(doc.Blocks) == 0 || doc.Blocks[0].Kind != layout.Heading {
			t.Errorf("%s: rendered body does not start with a section heading", f)
		}
	}
	t.Logf("%d records: %d channels (%d with amounts, %d free), %d paper groups with %d papers (%d templates), %d records with notes, %d legal documents; paper tables parsed in %d of %d records",
		len(files), channels, feeAmounts, free, groups, papers, withForms, withNotes, legal, withPapers, withPaperTable)
	if withPapers < withPaperTable {
		t.Errorf("paper tables parsed in %d of %d records", withPapers, withPaperTable)
	}
}

// TestCorpusPlans checks that the saved web pages of the corpus come out without their noise.
func TestCorpusPlans(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir(t), "plans", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := extract.File(f, data)
			if err != nil {
				t.Fatal(err)
			}
			text := doc.Text()
			for _, noise := range []string{"Lượt truy cập", "Khách Online", "gplus", "pinterest", "Đăng bình luận", "Cùng chuyên mục", "Xem với cỡ chữ", ".jpg", "Ảnh: ST"} {
				if strings.Contains(text, noise) {
					t.Errorf("text contains noise %q", noise)
				}
			}
			if doc.Kind != extract.KindPlan {
				t.Errorf("Kind = %q, want plan", doc.Kind)
			}
			if len(doc.Blocks) < 3 {
				t.Errorf("only %d blocks", len(doc.Blocks))
			}
		})
	}
}
