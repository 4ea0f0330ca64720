package telegram_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
)

// TestChoicesAsInlineButtons checks that an answer asking the person to choose is sent with an
// inline keyboard, a button per choice, and that pressing one is asked as the choice's number,
// the press being answered in the webhook's reply.
func TestChoicesAsInlineButtons(t *testing.T) {
	f := setup(t, newFakeBotAPI(t), "", nil, nil)
	f.asst.Citations = []knowledge.Citation{}
	f.asst.Answer = "Tôi chưa chắc bạn hỏi về thủ tục nào. Bạn vui lòng chọn một thủ tục dưới đây (trả lời bằng số thứ tự):\n" +
		"1. Cấp giấy phép lái xe quốc tế\n2. Đổi giấy phép lái xe do ngành Công an cấp cho người nước ngoài cư trú tại Việt Nam"
	f.asst.Choices = []knowledge.Choice{
		{N: 1, Title: "Cấp giấy phép lái xe quốc tế", Source: "a.json", DocumentID: "d1"},
		{N: 2, Title: "Đổi giấy phép lái xe do ngành Công an cấp cho người nước ngoài cư trú tại Việt Nam", Source: "b.json", DocumentID: "d2"},
	}
	f.deliver(t, update(3001, "bằng lái"))

	// The press, delivered while the first answer may still be on its way.
	body, _ := json.Marshal(callbackQuery(3002, "choice:2"))
	req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", webhookSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ack, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var answered struct {
		Method          string `json:"method"`
		CallbackQueryID string `json:"callback_query_id"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(ack, &answered) != nil ||
		answered.Method != "answerCallbackQuery" || answered.CallbackQueryID != "43823002" {
		t.Errorf("press acknowledged with %d %s, want answerCallbackQuery for 43823002", res.StatusCode, ack)
	}
	// A press on a button that picks nothing is acknowledged and not asked.
	f.deliver(t, callbackQuery(3003, "something-else"))
	f.drain(t)

	sends := f.api.sends(t)
	if len(sends) != 2 {
		t.Fatalf("%d sends, want 2", len(sends))
	}
	kb := sends[0].ReplyMarkup
	if kb == nil || len(kb.InlineKeyboard) != 2 {
		t.Fatalf("choices sent without an inline keyboard of 2 rows: %+v", kb)
	}
	if b := kb.InlineKeyboard[0][0]; b.Text != "1. Cấp giấy phép lái xe quốc tế" || b.CallbackData != "choice:1" {
		t.Errorf("first button = %+v", b)
	}
	if b := kb.InlineKeyboard[1][0]; len([]rune(b.Text)) > 60 || b.CallbackData != "choice:2" || b.Text[:3] != "2. " {
		t.Errorf("second button = %+v (label of at most 60 characters)", b)
	}
	reqs := f.asst.Requests()
	if len(reqs) != 2 || reqs[1].Message != "2" || reqs[1].UserKey != userKey() {
		t.Fatalf("asked %+v, want the press asked as \"2\" by the same user", reqs)
	}
}
