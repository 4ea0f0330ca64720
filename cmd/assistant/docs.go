package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
)

const docsUsage = `usage:
  assistant docs list [-kind KIND]              list documents with their metadata
  assistant docs set SOURCE FIELD=VALUE...      change metadata; fields: title, kind, issuer,
                                                locality, number, url, enabled (true/false)
  assistant docs delete SOURCE                  remove a document and its passages`

// docs lets operators review and correct the knowledge base's documents. Metadata an operator
// sets is kept when the file is ingested again.
func docs(ctx context.Context, a *app, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stdout, docsUsage)
		return exitError{2, errors.New("docs: no subcommand given")}
	}
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("docs list", flag.ContinueOnError)
		fs.SetOutput(stdout)
		kind := fs.String("kind", "", "only documents of this kind (plan, procedure, faq, other)")
		if err := fs.Parse(args[1:]); err != nil {
			return exitError{2, err}
		}
		if *kind != "" && !knowledge.Kind(*kind).Valid() {
			return exitError{2, fmt.Errorf("docs: unknown kind %q", *kind)}
		}
		list, err := a.store.Documents(ctx, knowledge.Kind(*kind))
		if err != nil {
			return err
		}
		for _, d := range list {
			state := "enabled"
			if !d.Enabled {
				state = "DISABLED"
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\tv%d\t%s", d.Source, d.Kind, state, d.Version, d.Title)
			for _, f := range []struct{ name, v string }{{"issuer", d.Issuer}, {"locality", d.Locality}, {"number", d.Number}} {
				if f.v != "" {
					fmt.Fprintf(stdout, "\t%s=%s", f.name, f.v)
				}
			}
			if len(d.Locked) > 0 {
				fmt.Fprintf(stdout, "\tset by operator: %s", strings.Join(d.Locked, ","))
			}
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "%d documents\n", len(list))
		return nil
	case "set":
		if len(args) < 3 {
			fmt.Fprintln(stdout, docsUsage)
			return exitError{2, errors.New("docs set: give a source and at least one FIELD=VALUE")}
		}
		patch, err := parsePatch(args[2:])
		if err != nil {
			return exitError{2, fmt.Errorf("docs set: %w", err)}
		}
		doc, err := a.store.DocumentBySource(ctx, args[1])
		if err != nil {
			return fmt.Errorf("docs set %s: %w", args[1], err)
		}
		doc, err = a.store.UpdateDocument(ctx, doc.ID, patch)
		if err != nil {
			return fmt.Errorf("docs set %s: %w", args[1], err)
		}
		fmt.Fprintf(stdout, "%s updated (set by operator: %s)\n", doc.Source, strings.Join(doc.Locked, ","))
		return nil
	case "delete":
		if len(args) != 2 {
			fmt.Fprintln(stdout, docsUsage)
			return exitError{2, errors.New("docs delete: give one source")}
		}
		doc, err := a.store.DocumentBySource(ctx, args[1])
		if err != nil {
			return fmt.Errorf("docs delete %s: %w", args[1], err)
		}
		if err := a.store.DeleteDocument(ctx, doc.ID); err != nil {
			return fmt.Errorf("docs delete %s: %w", args[1], err)
		}
		fmt.Fprintf(stdout, "%s deleted\n", doc.Source)
		return nil
	}
	fmt.Fprintln(stdout, docsUsage)
	return exitError{2, fmt.Errorf("docs: unknown subcommand %q", args[0])}
}

// parsePatch reads FIELD=VALUE arguments into a document patch, checked as every store checks
// it (knowledge.DocumentPatch.Validate).
func parsePatch(args []string) (knowledge.DocumentPatch, error) {
	var p knowledge.DocumentPatch
	for _, arg := range args {
		field, value, ok := strings.Cut(arg, "=")
		if !ok {
			return p, fmt.Errorf("%q is not FIELD=VALUE", arg)
		}
		v := strings.TrimSpace(value)
		switch field {
		case "title":
			p.Title = &v
		case "kind":
			k := knowledge.Kind(v)
			p.Kind = &k
		case "issuer":
			p.Issuer = &v
		case "locality":
			p.Locality = &v
		case "number":
			p.Number = &v
		case "url":
			p.URL = &v
		case "enabled":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return p, fmt.Errorf("enabled must be true or false, not %q", v)
			}
			p.Enabled = &b
		default:
			return p, fmt.Errorf("unknown field %q", field)
		}
	}
	return p, p.Validate()
}
