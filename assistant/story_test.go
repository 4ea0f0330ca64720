package assistant

import (
	"testing"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestAskOf(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	tests := []struct{ name, msg, want string }{
		{"the last clause asks and names its topic",
			"nhà tôi có chiếc xe máy mua lại của bạn ở tỉnh khác, giờ muốn sang tên xe thì phải mang những gì?",
			"giờ muốn sang tên xe thì phải mang những gì?"},
		{"an ask without a topic takes the need stated before it",
			"con tôi sinh ở bệnh viện huyện năm ngoái, giờ vợ chồng tôi mới muốn đăng ký khai sinh cho cháu. lệ phí bao nhiêu vậy",
			"muốn đăng ký khai sinh cho cháu, lệ phí bao nhiêu vậy"},
		{"without a need marker, the clause before it",
			"cty em ở khu công nghiệp vừa đổi tên công ty trên giấy đăng ký doanh nghiệp, thay đổi giấy phép môi trường. mất bao lâu",
			"thay đổi giấy phép môi trường, mất bao lâu"},
		{"the asking clause first, the story after",
			"mai ở hà nội có mưa không vậy, tôi định đưa con đi làm thẻ căn cước ở phường gần nhà",
			"mai ở hà nội có mưa không vậy"},
		{"figures are not clause breaks",
			"tôi đã nộp 1.500.000 đồng lệ phí, giấy tờ đủ cả, muốn biết khi nào nhận giấy chứng nhận quyền sử dụng đất",
			"muốn biết khi nào nhận giấy chứng nhận quyền sử dụng đất"},
		{"a short question is all ask", "đăng ký khai sinh ở đâu, lệ phí bao nhiêu?", ""},
		{"nothing asked", "hôm qua tôi đã nộp hồ sơ đăng ký kinh doanh ở phường, cán bộ hẹn tuần sau có kết quả rồi nhé", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := askOf(tt.msg, a); got != tt.want {
				t.Errorf("askOf(%q)\n = %q\nwant %q", tt.msg, got, tt.want)
			}
		})
	}
}
