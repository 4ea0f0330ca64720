package assistant_test

import (
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
)

func TestVocabularyStandard(t *testing.T) {
	v := assistant.DefaultVocabulary()
	tests := []struct{ in, want string }{
		{"lệ phí bn vậy, có làm online đc ko", "lệ phí bao nhiêu vậy, có làm online được không"},
		{"co nop qua mang dc k a", "co nop qua mang duoc khong a"},
		{"bn ơi cho mình hỏi", "bạn ơi cho mình hỏi"},
		{"Bn cho e hỏi phí bn", "bạn cho em hỏi phí bao nhiêu"},
		{"dk tam tru o dau", "dang ky tam tru o dau"},
		{"nộp online có đk ko", "nộp online có được không"},
		{"làm z có đk", "làm vậy có được"},
		{"cty mik cần giấy tờ j", "công ty mình cần giấy tờ gì"},
		// Whole words only, and figures keep their units.
		{"phí 500k, kon ko", "phí 500k, kon không"},
		{"Kết hôn", "Kết hôn"},
	}
	for _, tt := range tests {
		if got := v.Standard(tt.in); got != tt.want {
			t.Errorf("Standard(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVocabularyOfficial(t *testing.T) {
	v := assistant.DefaultVocabulary()
	tests := []struct{ in, want string }{
		{"Lấy vợ người nước ngoài cần giấy tờ gì?", "kết hôn người nước ngoài cần giấy tờ gì?"},
		{"lay chong nguoi nuoc ngoai", "kết hôn nguoi nuoc ngoai"},
		{"Đổi BẰNG LÁI XE hết hạn ở đâu?", "Đổi giấy phép lái xe hết hạn ở đâu?"},
		{"Học bằng lái máy bay ở đâu?", "Học giấy phép lái máy bay ở đâu?"},
		{"Con tôi 15 tuổi làm thẻ căn cước ở đâu?", "Con tôi 15 tuổi cấp thẻ căn cước ở đâu?"},
		{"Xin giấy xác nhận độc thân ở đâu?", "Xin xác nhận tình trạng hôn nhân ở đâu?"},
		{"Làm sổ đỏ mất bao lâu?", "Làm giấy chứng nhận quyền sử dụng đất mất bao lâu?"},
		// Without marks "so do" is also "sơ đồ": left alone.
		{"lam so do mat bao lau", "lam so do mat bao lau"},
		{"Nộp sơ đồ thửa đất ở đâu?", "Nộp sơ đồ thửa đất ở đâu?"},
		// Whole words only: "bằng lái" inside another word is not replaced.
		{"Kết hôn thì lấy vợt ở đâu?", "Kết hôn thì lấy vợt ở đâu?"},
		{"Lệ phí đăng ký thường trú?", "Lệ phí đăng ký thường trú?"},
		{"Nhà hoà bình uỷ ban", "Nhà hòa bình ủy ban"},
		{"mat cavet xe may roi", "mat giấy chứng nhận đăng ký xe xe may roi"},
		{"Giấy phép khoan nước ngầm", "Giấy phép khoan nước dưới đất"},
		{"ly di o dau", "ly hôn o dau"},
	}
	for _, tt := range tests {
		if got := v.Official(tt.in); got != tt.want {
			t.Errorf("Official(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVocabularyExtend(t *testing.T) {
	base := assistant.DefaultVocabulary()
	chat, phrases := base.Size()
	if chat < 30 || phrases < 15 {
		t.Fatalf("shipped vocabulary: %d chat forms, %d phrases", chat, phrases)
	}
	v, err := base.Extend(strings.NewReader(`
# an operator's additions
[chat]
ttpv = trung tâm phục vụ
k = khác
[phrases]
mở quán ăn = đăng ký hộ kinh doanh
! sổ đỏ = giấy chứng nhận
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Standard("ttpv có k"); got != "trung tâm phục vụ có khác" {
		t.Errorf("extended Standard = %q", got)
	}
	if got := v.Official("muốn mở quán ăn, cần sổ đỏ"); got != "muốn đăng ký hộ kinh doanh, cần giấy chứng nhận" {
		t.Errorf("extended Official = %q", got)
	}
	if got := base.Standard("có k"); got != "có không" {
		t.Errorf("Extend changed the vocabulary it extends: %q", got)
	}
	if c, p := v.Size(); c != chat+1 || p != phrases+1 {
		t.Errorf("extended size %d, %d; want %d, %d", c, p, chat+1, phrases+1)
	}
	for _, bad := range []string{"[chat]\nno equals sign", "[chat]\nhai từ = x", "ko = không", "[phrases]\n = x", "[chat]\nk = "} {
		if _, err := base.Extend(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("Extend(%q) = %v, want an error naming the line", bad, err)
		}
	}
}
