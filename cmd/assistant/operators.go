package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/web/console"
)

const operatorsUsage = `usage:
  assistant operators create NAME -role admin|editor|viewer   new console account; password on stdin
  assistant operators list                                  accounts with their role and state
  assistant operators disable NAME                          the account can no longer sign in
  assistant operators enable NAME
  assistant operators unlock NAME                           lift a lockout after wrong passwords
  assistant operators reset-password NAME                   new password on stdin

The password is the first line of standard input (at least 12 characters), e.g.
  read -rs PW && echo "$PW" | assistant operators create an -role admin`

// operators manages the console's accounts from the server's shell: the first admin is made
// here. Every change is recorded in the audit log as made by "shell".
func operators(ctx context.Context, a *app, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stdout, operatorsUsage)
		return exitError{2, errors.New("operators: no subcommand given")}
	}
	acc := console.NewAccounts(a.store)
	sub, rest := args[0], args[1:]
	switch sub {
	case "create":
		fs := flag.NewFlagSet("operators create", flag.ContinueOnError)
		fs.SetOutput(stdout)
		role := fs.String("role", "", "admin, editor or viewer")
		name, flags := leadingName(rest)
		if err := fs.Parse(flags); err != nil {
			return exitError{2, err}
		}
		if name == "" && fs.NArg() == 1 {
			name = fs.Arg(0)
		} else if fs.NArg() > 0 || name == "" {
			return exitError{2, errors.New("operators create: give one account name (assistant operators create NAME -role ROLE)")}
		}
		password, err := readPassword(stdin)
		if err != nil {
			return exitError{2, fmt.Errorf("operators create: %w", err)}
		}
		o, err := acc.Create(ctx, console.Shell, name, *role, password)
		if err != nil {
			return usageOr("operators create", err)
		}
		fmt.Fprintf(stdout, "operator %s created (role %s)\n", o.Name, o.Role)
		return nil
	case "list":
		if len(rest) > 0 {
			return exitError{2, fmt.Errorf("operators list: unexpected argument %q", rest[0])}
		}
		list, err := acc.List(ctx)
		if err != nil {
			return err
		}
		for _, o := range list {
			state := "enabled"
			if o.Disabled {
				state = "DISABLED"
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\tcreated %s\n", o.Name, o.Role, state, o.CreatedAt.Format("2006-01-02"))
		}
		fmt.Fprintf(stdout, "%d operators\n", len(list))
		return nil
	case "disable", "enable", "unlock", "reset-password":
		if len(rest) != 1 {
			return exitError{2, fmt.Errorf("operators %s: give one account name", sub)}
		}
		name := rest[0]
		var err error
		if sub == "reset-password" {
			var password string
			if password, err = readPassword(stdin); err != nil {
				return exitError{2, fmt.Errorf("operators reset-password: %w", err)}
			}
			err = acc.ResetPassword(ctx, console.Shell, name, password)
		} else if sub == "unlock" {
			err = acc.Unlock(ctx, console.Shell, name)
		} else {
			err = acc.SetDisabled(ctx, console.Shell, name, sub == "disable")
		}
		if err != nil {
			return usageOr("operators "+sub, err)
		}
		fmt.Fprintf(stdout, "operator %s: %s done\n", name, sub)
		return nil
	}
	fmt.Fprintln(stdout, operatorsUsage)
	return exitError{2, fmt.Errorf("operators: unknown subcommand %q", sub)}
}

// leadingName splits "NAME -role x" into the name and the flags (the flag package stops at
// the first argument that is not a flag).
func leadingName(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// readPassword reads the first line of r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// usageOr makes a bad name, role or password a usage error (exit 2) and an unknown account
// a clear one.
func usageOr(op string, err error) error {
	switch {
	case errors.Is(err, knowledge.ErrInvalid):
		return exitError{2, fmt.Errorf("%s: %w", op, err)}
	case errors.Is(err, knowledge.ErrConflict):
		return fmt.Errorf("%s: the name is taken", op)
	case errors.Is(err, knowledge.ErrNotFound):
		return fmt.Errorf("%s: no such operator", op)
	}
	return fmt.Errorf("%s: %w", op, err)
}
