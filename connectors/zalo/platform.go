package zalo

import (
	"context"

	"github.com/trolyao/trolyao/connectors"
)

// MaxText is the longest text message Zalo accepts, in characters.
const MaxText = 2000

// platform is Zalo as the connectors.Worker sends through it: plain text with the sources as
// "[1] Title — URL" lines, customer-service messages, no typing indicator.
type platform struct{ client *Client }

// Name is the channel.
func (platform) Name() string { return connectors.Zalo }

// TextLimit is MaxText.
func (platform) TextLimit() int { return MaxText }

// Render writes the answer as plain text.
func (platform) Render(answer string, sources []connectors.Source) connectors.Text {
	return connectors.Text{Body: connectors.PlainText(answer, sources)}
}

// Send sends one customer-service text message.
func (p platform) Send(ctx context.Context, userID string, t connectors.Text) error {
	_, err := p.client.SendText(ctx, userID, t.Body)
	return err
}
