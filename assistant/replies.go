package assistant

import "strings"

// The assistant's fixed replies. They are in Vietnamese; the operator's organisation, hotline
// and portal are filled in from the configuration.

func smallTalk(c Cues, cfg Config) string {
	if c.Thanks && !c.Greeting {
		return "Rất vui được hỗ trợ bạn. Nếu cần thêm thông tin về thủ tục hành chính hay dịch vụ công, bạn cứ hỏi nhé!"
	}
	who := "trợ lý ảo"
	if cfg.Organization != "" {
		who += " của " + cfg.Organization
	}
	return "Xin chào! Tôi là " + who + ". Tôi có thể giúp bạn tra cứu thủ tục hành chính (hồ sơ, lệ phí, thời hạn, nơi nộp) " +
		"và các kế hoạch, chỉ tiêu chuyển đổi số. Bạn cần hỏi gì?"
}

// refusal says plainly that the knowledge base has nothing on the question, what the assistant
// can help with and where to ask instead.
func refusal(cfg Config, audience Audience) string {
	var b strings.Builder
	b.WriteString("Xin lỗi, tôi chưa tìm thấy thông tin này trong cơ sở dữ liệu")
	if cfg.Organization != "" {
		b.WriteString(" của " + cfg.Organization)
	}
	b.WriteString(", nên không thể trả lời chính xác. ")
	if audience == Staff {
		b.WriteString("Tôi có thể tra cứu các kế hoạch, chỉ tiêu chuyển đổi số và thủ tục hành chính đã được cập nhật.")
	} else {
		b.WriteString("Tôi có thể giúp bạn tra cứu thủ tục hành chính: hồ sơ, lệ phí, thời hạn giải quyết, nơi nộp và cách nộp trực tuyến.")
	}
	if contact := contactLine(cfg); contact != "" {
		b.WriteString(" " + contact)
	}
	return b.String()
}

// statusReply answers a question about one's own application: the assistant cannot see
// applications, and says where their progress is looked up.
func statusReply(cfg Config) string {
	var b strings.Builder
	b.WriteString("Tôi không tra cứu được hồ sơ hay thông tin riêng của từng người. Tiến độ một hồ sơ đã nộp được xem bằng mã hồ sơ ghi trên giấy tiếp nhận")
	if cfg.Portal != "" {
		b.WriteString(" tại " + cfg.Portal + " (mục tra cứu hồ sơ)")
	}
	b.WriteString(", hoặc hỏi nơi đã nhận hồ sơ của bạn")
	if cfg.Hotline != "" {
		b.WriteString(", hoặc gọi " + cfg.Hotline)
	}
	b.WriteString(". Tôi có thể giúp bạn tra cứu thủ tục: hồ sơ, lệ phí, thời hạn giải quyết và nơi nộp.")
	return b.String()
}

func contactLine(cfg Config) string {
	switch {
	case cfg.Hotline != "" && cfg.Portal != "":
		return "Bạn có thể liên hệ " + cfg.Hotline + " hoặc tra cứu tại " + cfg.Portal + "."
	case cfg.Hotline != "":
		return "Bạn có thể liên hệ " + cfg.Hotline + "."
	case cfg.Portal != "":
		return "Bạn có thể tra cứu tại " + cfg.Portal + "."
	}
	return ""
}

// clarify asks which procedure or plan a question is about when it names none and the
// conversation has none to lean on ("mất bao lâu?" as a first question).
func clarify(audience Audience) string {
	if audience == Staff {
		return "Bạn muốn hỏi về kế hoạch, chỉ tiêu hay thủ tục nào? Vui lòng nêu rõ tên văn bản, địa phương hoặc thủ tục để tôi tra cứu chính xác."
	}
	return "Bạn muốn hỏi về thủ tục nào? Vui lòng nêu rõ tên thủ tục (ví dụ: đăng ký tạm trú, cấp hộ chiếu) để tôi tra cứu chính xác."
}

// unavailable is said when the knowledge base cannot be searched at the moment.
func unavailable(cfg Config) string {
	s := "Xin lỗi, hệ thống tra cứu đang tạm gián đoạn. Bạn vui lòng thử lại sau ít phút."
	if c := contactLine(cfg); c != "" {
		s += " " + c
	}
	return s
}
