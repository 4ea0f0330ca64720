package knowledge_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/trolyao/trolyao/knowledge"
)

// recordingTx is a migration transaction that records what it is asked to apply.
type recordingTx struct {
	done    []int
	applied []string
	fail    string // the migration whose Apply fails
}

func (r *recordingTx) Applied(context.Context) ([]int, error) { return r.done, nil }

func (r *recordingTx) Apply(_ context.Context, m knowledge.Migration) error {
	if m.Name == r.fail {
		return errors.New("syntax error")
	}
	r.applied = append(r.applied, m.Name)
	return nil
}

func TestMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0010_later.sql": {Data: []byte("SELECT 10")},
		"m/0002_next.sql":  {Data: []byte("SELECT 2")},
		"m/0001_init.sql":  {Data: []byte("SELECT 1")},
		"m/README.txt":     {Data: []byte("not a migration")},
	}
	all, err := knowledge.Migrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range all {
		names = append(names, m.Name)
	}
	if want := []string{"0001_init.sql", "0002_next.sql", "0010_later.sql"}; !slices.Equal(names, want) || all[2].Version != 10 || all[1].SQL != "SELECT 2" {
		t.Fatalf("Migrations = %+v", all)
	}

	tx := &recordingTx{done: []int{1}}
	applied, err := knowledge.Migrate(context.Background(), tx, all)
	if err != nil || len(applied) != 2 || !slices.Equal(tx.applied, []string{"0002_next.sql", "0010_later.sql"}) {
		t.Errorf("Migrate = %+v, %v; applied %v", applied, err, tx.applied)
	}
	tx = &recordingTx{fail: "0002_next.sql"}
	if _, err := knowledge.Migrate(context.Background(), tx, all); err == nil || !strings.Contains(err.Error(), "0002_next.sql") {
		t.Errorf("a failing migration: %v, want its name in the error", err)
	}

	for name, bad := range map[string]fstest.MapFS{
		"no version":   {"m/init.sql": {}},
		"zero version": {"m/0000_x.sql": {}},
		"same version": {"m/0001_a.sql": {}, "m/1_b.sql": {}},
	} {
		if _, err := knowledge.Migrations(bad, "m"); err == nil {
			t.Errorf("%s: Migrations accepted %v", name, bad)
		}
	}
}
