// Package pgtest gives tests a fresh PostgreSQL database. The server comes from
// TEST_DATABASE_URL or the libpq PG* variables (scripts/test.sh runs the tests under
// pg_virtualenv, which sets them). Without a server, tests are skipped — or fail when CI=true,
// so that a CI run never passes without having exercised PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var server struct {
	once sync.Once
	cfg  *pgx.ConnConfig
	err  error
}

// AdminConfig returns the connection configuration of the test server, skipping tb (failing it
// on CI) when no server answers.
func AdminConfig(tb testing.TB) *pgx.ConnConfig {
	tb.Helper()
	server.once.Do(func() {
		cfg, err := pgx.ParseConfig(os.Getenv("TEST_DATABASE_URL"))
		if err != nil {
			server.err = err
			return
		}
		cfg.ConnectTimeout = 5 * time.Second
		conn, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			server.err = err
			return
		}
		conn.Close(context.Background())
		server.cfg = cfg
	})
	if server.err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL not available on CI: %v", server.err)
		}
		tb.Skipf("PostgreSQL not available (%v): run the tests through scripts/test.sh or set TEST_DATABASE_URL", server.err)
	}
	return server.cfg.Copy()
}

// Database creates an empty database with a random name and returns its connection string; the
// database is dropped when tb ends.
func Database(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	admin := AdminConfig(tb)
	var b [8]byte
	rand.Read(b[:])
	name := "trolyao_test_" + hex.EncodeToString(b[:])
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.ConnectConfig(ctx, admin)
		if err != nil {
			tb.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	base := os.Getenv("TEST_DATABASE_URL")
	if u, err := url.Parse(base); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return strings.TrimSpace(base + " dbname=" + name)
}
