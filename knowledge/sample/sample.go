// Package sample holds a small knowledge base written for demonstrations and first runs:
// three public-service procedures in the national portal's export format, a digital-
// transformation plan of a fictional province, and frequently asked questions. It is not
// official information; operators replace it with their own documents.
package sample

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/trolyao/trolyao/knowledge"
)

//go:embed data
var files embed.FS

// Starters are questions the sample knowledge base answers, suggested on the chat page of a
// server started with it when the operator configured none.
var Starters = []string{
	"Đăng ký khai sinh cho con cần giấy tờ gì?",
	"Đăng ký tạm trú mất bao lâu?",
	"Xin bản sao trích lục hộ tịch có mất phí không?",
	"Tỷ lệ hồ sơ giải quyết trực tuyến cấp xã của tỉnh Thái Sơn là bao nhiêu?",
}

// Files returns the sample documents, by their source names.
func Files() fs.FS {
	sub, err := fs.Sub(files, "data")
	if err != nil {
		panic(err) // the embedded folder exists by construction
	}
	return sub
}

// Ingest adds the sample documents under the source prefix "mau/" (unchanged ones are left
// alone) and returns what was done.
func Ingest(ctx context.Context, in *knowledge.Ingester) (knowledge.Report, error) {
	var rep knowledge.Report
	fsys := Files()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		source := path.Join("mau", p)
		outcome, n, err := in.Ingest(ctx, source, data)
		rep.Files = append(rep.Files, knowledge.FileResult{Path: p, Source: source, Outcome: outcome, Chunks: n, Err: err})
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	return rep, in.Optimize(ctx)
}
