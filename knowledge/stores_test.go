package knowledge_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/pgtest"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
)

// The knowledge package's tests run on both engines, each opened fresh per test.

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openSQLite(t *testing.T) knowledge.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kb.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T) knowledge.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.Database(t), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
