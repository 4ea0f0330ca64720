package messenger

import (
	"context"
	"time"

	"github.com/trolyao/trolyao/assistant"

	"github.com/trolyao/trolyao/connectors"
)

// MaxText is the longest text message Messenger accepts, in characters.
const MaxText = 2000

// typingEvery renews typing_on, which lasts about 20 s.
const typingEvery = 15 * time.Second

// platform is Messenger as the connectors.Worker sends through it: plain text with the
// sources as "[1] Title — URL" lines, an answer's choices as quick replies, RESPONSE messages
// of the Send API, typing_on.
type platform struct{ client *Client }

// Name is the channel.
func (platform) Name() string { return connectors.Messenger }

// TextLimit is MaxText.
func (platform) TextLimit() int { return MaxText }

// Render writes the answer as plain text.
func (platform) Render(answer string, sources []connectors.Source) connectors.Text {
	return connectors.Text{Body: connectors.PlainText(answer, sources)}
}

// Send sends one text message.
func (p platform) Send(ctx context.Context, psid string, t connectors.Text) error {
	_, err := p.client.SendText(ctx, psid, t.Body)
	return err
}

// quickReplyTitle is the longest quick-reply title Messenger shows, in characters.
const quickReplyTitle = 20

// SendChoices sends one text message with a quick reply per choice ("2. Cấp lại giấy…"),
// whose payload picks it (connectors.ChoicePayload).
func (p platform) SendChoices(ctx context.Context, psid string, t connectors.Text, choices []connectors.Choice) error {
	replies := make([]QuickReply, len(choices))
	for i, c := range choices {
		replies[i] = QuickReply{ContentType: "text", Title: connectors.ChoiceLabel(c, quickReplyTitle), Payload: connectors.ChoicePayload(c.N)}
	}
	_, err := p.client.SendQuickReplies(ctx, psid, t.Body, replies)
	return err
}

// Typing shows the typing indicator.
func (p platform) Typing(ctx context.Context, psid string) error { return p.client.Typing(ctx, psid) }

// TypingEvery is how often the indicator is renewed.
func (platform) TypingEvery() time.Duration { return typingEvery }

// StandardWindow is how long after a user's last message a page may write to them with a
// RESPONSE message (Messenger Platform policy, standard messaging).
const StandardWindow = 24 * time.Hour

// Window is Messenger's standard messaging window: 24 hours from the user's last message.
func (platform) Window(last time.Time, _ int, now time.Time) assistant.Window {
	until := last.Add(StandardWindow)
	if last.IsZero() || !now.Before(until) {
		return assistant.Window{Open: false, Until: until, FreeLeft: -1,
			Note: "Đã quá 24 giờ kể từ tin nhắn cuối của người dân: Messenger không cho phép trang gửi thêm cho đến khi người dân nhắn lại."}
	}
	return assistant.Window{Open: true, Until: until, FreeLeft: -1,
		Note: "Messenger cho phép trả lời trong 24 giờ kể từ tin nhắn cuối của người dân, tức đến " + connectors.VietnamTime(until) + "."}
}
