package console_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/web/console"
)

func TestPasswordHash(t *testing.T) {
	h, err := console.HashPassword("mật khẩu rất dài 2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "mật khẩu") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := console.HashPassword("mật khẩu rất dài 2026")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !console.VerifyPassword(h, "mật khẩu rất dài 2026") || console.VerifyPassword(h, "mật khẩu rất dài 2025") {
		t.Error("verification does not tell the password from another")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=2,p=1$AAAA$AAAA", "$bcrypt$x", strings.Replace(h, "v=19", "v=16", 1)} {
		if console.VerifyPassword(bad, "mật khẩu rất dài 2026") {
			t.Errorf("malformed hash %q verified", bad)
		}
	}
}

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kb.db"), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acc := console.NewAccounts(s)
	admin := console.Actor{Name: "an", Address: "10.1.2.3"}
	if _, err := acc.Create(ctx, console.Shell, "an", console.RoleAdmin, "quản trị viên tỉnh 01"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Create(ctx, admin, "lan.nguyen", console.RoleEditor, "biên tập viên 2026"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, role, password string }{
		{"Lan Nguyen", console.RoleEditor, "biên tập viên 2026"}, // not a login
		{"binh", "owner", "biên tập viên 2026"},                  // no such role
		{"binh", console.RoleViewer, "ngắn quá"},                 // too short
	} {
		if _, err := acc.Create(ctx, admin, tt.name, tt.role, tt.password); !errors.Is(err, knowledge.ErrInvalid) {
			t.Errorf("Create(%q, %q): %v, want ErrInvalid", tt.name, tt.role, err)
		}
	}
	if _, err := acc.Create(ctx, admin, "lan.nguyen", console.RoleViewer, "một mật khẩu khác nữa"); !errors.Is(err, knowledge.ErrConflict) {
		t.Errorf("a second lan.nguyen: %v, want ErrConflict", err)
	}
	if o, err := acc.Authenticate(ctx, "lan.nguyen", "biên tập viên 2026"); err != nil || o.Role != console.RoleEditor {
		t.Fatalf("sign in: %+v, %v", o, err)
	}
	for _, tt := range []struct{ name, password string }{{"lan.nguyen", "biên tập viên 2025"}, {"khong-co", "biên tập viên 2026"}} {
		if _, err := acc.Authenticate(ctx, tt.name, tt.password); !errors.Is(err, console.ErrBadCredentials) {
			t.Errorf("Authenticate(%q): %v, want ErrBadCredentials", tt.name, err)
		}
	}
	if err := acc.SetDisabled(ctx, admin, "lan.nguyen", true); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(ctx, "lan.nguyen", "biên tập viên 2026"); !errors.Is(err, console.ErrBadCredentials) {
		t.Errorf("a disabled account signed in: %v", err)
	}
	if err := acc.ResetPassword(ctx, admin, "lan.nguyen", "mật khẩu mới của Lan"); err != nil {
		t.Fatal(err)
	}
	if err := acc.SetDisabled(ctx, admin, "lan.nguyen", false); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(ctx, "lan.nguyen", "mật khẩu mới của Lan"); err != nil {
		t.Errorf("after a reset: %v", err)
	}
	if err := acc.ResetPassword(ctx, admin, "lan.nguyen", "ngắn"); !errors.Is(err, console.ErrWeakPassword) {
		t.Errorf("a short new password: %v", err)
	}
	// Ten wrong passwords lock the account, even against the right one, until an admin
	// unlocks it; a sign-in resets the count.
	for range console.MaxFailedLogins {
		if _, err := acc.Authenticate(ctx, "lan.nguyen", "đoán bừa mật khẩu"); !errors.Is(err, console.ErrBadCredentials) {
			t.Fatalf("a wrong password: %v", err)
		}
	}
	if _, err := acc.Authenticate(ctx, "lan.nguyen", "mật khẩu mới của Lan"); !errors.Is(err, console.ErrLocked) {
		t.Fatalf("a locked account with the right password: %v, want ErrLocked", err)
	}
	if err := acc.Unlock(ctx, admin, "lan.nguyen"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(ctx, "lan.nguyen", "mật khẩu mới của Lan"); err != nil {
		t.Errorf("after unlocking: %v", err)
	}
	// Every change is in the audit log, newest first, with who and from where, and no secret.
	entries, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Actor+" "+e.Action+" "+e.Target+" "+e.Address)
		if strings.Contains(e.Detail, "mật khẩu") || strings.Contains(e.Detail, "argon2") {
			t.Errorf("audit entry holds a secret: %+v", e)
		}
	}
	want := []string{
		"an operator.unlock lan.nguyen 10.1.2.3",
		"lan.nguyen operator.locked lan.nguyen ",
		"an operator.enable lan.nguyen 10.1.2.3",
		"an operator.reset-password lan.nguyen 10.1.2.3",
		"an operator.disable lan.nguyen 10.1.2.3",
		"an operator.create lan.nguyen 10.1.2.3",
		"shell operator.create an ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
