package messenger

import (
	"context"
	"time"

	"github.com/trolyao/trolyao/connectors"
)

// MaxText is the longest text message Messenger accepts, in characters.
const MaxText = 2000

// typingEvery renews typing_on, which lasts about 20 s.
const typingEvery = 15 * time.Second

// platform is Messenger as the connectors.Worker sends through it: plain text with the
// sources as "[1] Title — URL" lines, RESPONSE messages of the Send API, typing_on.
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

// Typing shows the typing indicator.
func (p platform) Typing(ctx context.Context, psid string) error { return p.client.Typing(ctx, psid) }

// TypingEvery is how often the indicator is renewed.
func (platform) TypingEvery() time.Duration { return typingEvery }
