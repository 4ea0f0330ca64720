package assistant_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
)

// TestBackToTopic checks that a short question in words of its own, asking what procedures
// answer (a fee, online submission), is answered from the procedure the conversation is about
// when the knowledge base as a whole has nothing for those words, and that neither a long
// message telling a new story nor the same question in a new conversation is.
func TestBackToTopic(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			st := newStack(t, backend)
			ctx := context.Background()
			first, err := st.asst.Ask(ctx, assistant.Request{Message: "Cấp giấy phép treo biển quảng cáo cần giấy tờ gì?"}, nil)
			if err != nil || !first.Grounded {
				t.Fatalf("first question: %v\n%s", err, first.Answer)
			}
			follow := "nộp qua VNeID được không?"
			reply, err := st.asst.Ask(ctx, assistant.Request{Message: follow, SessionID: first.SessionID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reply.Grounded || len(reply.Citations) == 0 || reply.Citations[0].URL != first.Citations[0].URL {
				t.Fatalf("%q was not answered from the procedure under discussion:\n%s\n%+v", follow, reply.Answer, reply.Citations)
			}
			if !strings.Contains(norm(reply.Answer), norm("trực tuyến")) {
				t.Errorf("%q: answer does not say how to hand in online:\n%s", follow, reply.Answer)
			}

			fresh, err := st.asst.Ask(ctx, assistant.Request{Message: follow}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.Grounded && len(fresh.Citations) > 0 && fresh.Citations[0].URL == first.Citations[0].URL {
				t.Errorf("%q in a new conversation was answered from a procedure it does not name:\n%s", follow, fresh.Answer)
			}

			story := "Nhà tôi ở quê có mảnh vườn trồng cà phê, năm nay mất mùa vì hạn hán kéo dài, tôi muốn hỏi nhà nước có hỗ trợ tiền cho nông dân bị thiệt hại không và nộp ở đâu?"
			other, err := st.asst.Ask(ctx, assistant.Request{Message: story, SessionID: first.SessionID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if other.Grounded && len(other.Citations) > 0 && other.Citations[0].URL == first.Citations[0].URL {
				t.Errorf("a long message telling a new story was answered from the previous procedure:\n%s", other.Answer)
			}
		})
	}
}

// TestShortFollowUpStaysOnTopic checks that a short question asking what procedures answer,
// in words another procedure shares ("hồ sơ gửi về đâu"), is answered from the procedure
// under discussion, and that one naming another procedure moves to it.
func TestShortFollowUpStaysOnTopic(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/kb/thu-tuc/cap-phep-bien-quang-cao.json")
	if err != nil {
		t.Fatal(err)
	}
	other := map[string]string{
		"ma_thu_tuc": "TEST.0002", "detail_url": "https://dichvucong.example.vn/thu-tuc/TEST.0002",
		"ten_thu_tuc":         "Tiếp nhận hồ sơ gửi nộp vào Lưu trữ lịch sử của tỉnh",
		"cap_thuc_hien":       "Cấp tỉnh",
		"co_quan_thuc_hien":   "Sở Nội vụ",
		"dia_chi_tiep_nhan":   "Lưu trữ lịch sử tỉnh",
		"trinh_tu_thuc_hien":  "Bước 1: Cơ quan, tổ chức gửi hồ sơ về Lưu trữ lịch sử tỉnh.\nBước 2: Lưu trữ lịch sử tỉnh kiểm tra và tiếp nhận hồ sơ.",
		"cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp15 Ngày làm việcPhí : 0 Đồng",
		"thanh_phan_ho_so":    "Tên giấy tờMẫu đơn, tờ khaiSố lượngMục lục hồ sơ gửi nộp lưu trữ.1 bản chính",
		"ket_qua_xu_ly":       "Biên bản giao nhận hồ sơ",
	}
	otherJSON, _ := json.Marshal(other)
	for name, b := range map[string][]byte{"quang-cao.json": data, "luu-tru.json": otherJSON} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			st := newStackFrom(t, backend, dir, assistant.DefaultConfig())
			ctx := context.Background()
			first, err := st.asst.Ask(ctx, assistant.Request{Message: "Cấp giấy phép treo biển quảng cáo cần giấy tờ gì?"}, nil)
			if err != nil || !first.Grounded || first.Citations[0].URL != "https://dichvucong.example.vn/thu-tuc/TEST.0001" {
				t.Fatalf("first question: %v\n%s", err, first.Answer)
			}
			reply, err := st.asst.Ask(ctx, assistant.Request{Message: "hồ sơ gửi nộp về đâu ạ", SessionID: first.SessionID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(reply.Citations) == 0 || reply.Citations[0].URL != first.Citations[0].URL || !strings.Contains(reply.Answer, "Một cửa") {
				t.Errorf("the short follow-up left the procedure under discussion:\n%s\n%+v", reply.Answer, reply.Citations)
			}
			moved, err := st.asst.Ask(ctx, assistant.Request{Message: "nộp hồ sơ vào Lưu trữ lịch sử tỉnh ở đâu", SessionID: first.SessionID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(moved.Citations) == 0 || moved.Citations[0].URL != "https://dichvucong.example.vn/thu-tuc/TEST.0002" {
				t.Errorf("a question naming another procedure was not answered from it:\n%s\n%+v", moved.Answer, moved.Citations)
			}
		})
	}
}

// TestOwnApplicationStatus checks that a question about the progress of one's own application
// is told where to look it up, citing nothing and offering no choices, while a question about
// how long a procedure takes is answered.
func TestOwnApplicationStatus(t *testing.T) {
	st := newStack(t, "sqlite")
	ctx := context.Background()
	for _, q := range []string{
		"Hồ sơ cấp giấy phép treo biển quảng cáo của tôi nộp tuần trước, giờ đến bước nào rồi ạ?",
		"ho so xin giay phep quang cao em nop tu thang truoc van chua thay ai goi",
	} {
		reply, err := st.asst.Ask(ctx, assistant.Request{Message: q}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if reply.Grounded || len(reply.Citations) > 0 || len(reply.Choices) > 0 || !strings.Contains(reply.Answer, "mã hồ sơ") {
			t.Errorf("%q: not told where to look the application up:\n%s", q, reply.Answer)
		}
	}
	reply, err := st.asst.Ask(ctx, assistant.Request{Message: "Cấp giấy phép treo biển quảng cáo bao lâu thì có kết quả?"}, nil)
	if err != nil || !reply.Grounded || !strings.Contains(reply.Answer, "10 ngày làm việc") {
		t.Errorf("a question about how long the procedure takes: %v\n%s", err, reply.Answer)
	}
}
