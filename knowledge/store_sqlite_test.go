package knowledge_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openSQLite(t *testing.T) knowledge.Store {
	t.Helper()
	s, err := knowledge.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "kb.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteContract(t *testing.T) { runStoreContract(t, openSQLite) }
