package extract_test

import (
	"errors"
	"testing"

	"github.com/trolyao/trolyao/knowledge/extract"
)

// FuzzFile checks that no input makes File panic, and that every failure wraps a sentinel.
func FuzzFile(f *testing.F) {
	for _, name := range []string{"noisy_page.txt", "page.html", "guide.md", "procedure.json"} {
		f.Add(name, readFixture(f, name))
	}
	f.Add("a.docx", docxFixture(f))
	f.Add("a.pdf", pdfFixture([]pdfLine{{12, 700, "Thông báo tiếp nhận hồ sơ"}, {11, 680, "Hồ sơ nộp tại Bộ phận Một cửa."}}))
	f.Add("a.json", []byte(`{"ten_thu_tuc":"A","cach_thuc_thuc_hien":"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến120,000 VNĐ(","can_cu_phap_ly":"1/2020/QH1360/2014/QH13-","thanh_phan_ho_so":"Tên giấy tờMẫu đơn, tờ khaiSố lượngA.docx1 bản chính"}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		doc, err := extract.File(name, data)
		if err != nil {
			for _, s := range []error{extract.ErrEmpty, extract.ErrEncoding, extract.ErrMalformed, extract.ErrUnsupported} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v wraps no sentinel", err)
		}
		if doc == nil {
			t.Fatal("nil document without error")
		}
	})
}
