package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered schema change of a store: a file "0002_inline_chunks.sql" of the
// store's migrations, applied once.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// Migrations reads the .sql files of dir in fsys, in version order. Every file name starts
// with its version number and an underscore; a name without one, or two files with the same
// version, is an error.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var out []Migration
	for _, name := range names {
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: file %s has no version number", base)
		}
		sql, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(sql)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations: %s and %s have the same version", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// MigrationTx is a store's transaction as Migrate applies migrations in it.
type MigrationTx interface {
	// Applied returns the versions already applied, creating the table that records them when
	// there is none.
	Applied(ctx context.Context) ([]int, error)
	// Apply runs one migration and records its version.
	Apply(ctx context.Context, m Migration) error
}

// Migrate applies in tx, in version order, the migrations of all not yet applied, and returns
// the ones it applied. The caller commits tx (all migrations or none), under whatever lock keeps
// processes starting together from applying them twice.
func Migrate(ctx context.Context, tx MigrationTx, all []Migration) ([]Migration, error) {
	done, err := tx.Applied(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []Migration
	for _, m := range all {
		if slices.Contains(done, m.Version) {
			continue
		}
		if err := tx.Apply(ctx, m); err != nil {
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		applied = append(applied, m)
	}
	return applied, nil
}
